#include "SystemdNotify_posix.h"

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace TokenBroker {

namespace {

std::string takeVariable(const char* name)
{
    const char* value = std::getenv(name);
    std::string result = value ? value : "";
    ::unsetenv(name);
    return result;
}

std::optional<unsigned long long> parseUnsigned(const std::string& text)
{
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    errno = 0;
    const unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
    if (errno == ERANGE)
        return std::nullopt;
    return value;
}

} // namespace

SystemdNotify SystemdNotify::fromEnvironment()
{
    SystemdNotify notify;
    notify._socket = takeVariable("NOTIFY_SOCKET");
    // Only file-system and abstract sockets; anything else (vsock:) is not
    // for a local daemon.
    if (notify._socket.size() < 2 || (notify._socket[0] != '/' && notify._socket[0] != '@') ||
        notify._socket.size() >= sizeof(sockaddr_un::sun_path))
        notify._socket.clear();
    const auto usec = parseUnsigned(takeVariable("WATCHDOG_USEC"));
    const std::string pidText = takeVariable("WATCHDOG_PID");
    const auto pid = parseUnsigned(pidText);
    // WATCHDOG_PID names the process the manager watches; without it, the
    // main process is meant.
    const bool meantForUs = pidText.empty() || (pid && *pid == static_cast<unsigned long long>(::getpid()));
    if (usec && *usec > 0 && meantForUs && notify.enabled())
        notify._watchdog = std::chrono::microseconds(static_cast<std::chrono::microseconds::rep>(*usec));
    return notify;
}

bool SystemdNotify::send(const std::string& state) const
{
    if (!enabled())
        return false;
    sockaddr_un address;
    std::memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, _socket.data(), _socket.size());
    socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + _socket.size());
    if (_socket[0] == '@')
        address.sun_path[0] = '\0';  // an abstract socket: no terminating NUL counts
    else
        length += 1;
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr*>(&address), length);
    ::close(fd);
    return sent == static_cast<ssize_t>(state.size());
}

std::string SystemdNotify::monotonicUsec()
{
    timespec now;
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const unsigned long long usec =
        static_cast<unsigned long long>(now.tv_sec) * 1000000ULL + static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
    return "MONOTONIC_USEC=" + std::to_string(usec);
}

} // namespace TokenBroker
