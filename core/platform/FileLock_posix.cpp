#include "FileLock.h"

#include "TrustedPath_posix.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace TokenBroker {

namespace {

std::string failure(const std::string& what, const std::string& path, int error)
{
    return what + " " + path + ": " + std::strerror(error);
}

} // namespace

void FileLock::open(const std::string& path)
{
    // Through the trusted walk: a state directory another user made, or a
    // link planted on the way, never gets a file created where they chose.
    const auto parent = Posix::refusedAs<WriteError>(
        "cannot open lock file " + path + ": ", [&] { return Posix::openParent(path, Posix::Trust{}, false, 0); });
    int fd = ::openat(parent.dir.get(), parent.name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        throw WriteError(failure("cannot open lock file", path, errno));
    _handle = fd;
}

FileLock::FileLock(const std::string& path)
{
    open(path);
    const int fd = static_cast<int>(_handle);
    while (::flock(fd, LOCK_EX) != 0)
    {
        if (errno != EINTR)
        {
            const int error = errno;
            ::close(fd);
            throw WriteError(failure("cannot lock", path, error));
        }
    }
}

FileLock::FileLock(const std::string& path, std::chrono::milliseconds maxWait)
{
    open(path);
    const int fd = static_cast<int>(_handle);
    const auto deadline = std::chrono::steady_clock::now() + maxWait;
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    {
        const int error = errno;
        if (error == EINTR)
            continue;
        if (error != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline)
        {
            ::close(fd);
            if (error == EWOULDBLOCK)
                throw LockBusy(path + " is locked by another process");
            throw WriteError(failure("cannot lock", path, error));
        }
        // flock has no timed wait: poll, briefly.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

FileLock::~FileLock()
{
    // Closing releases the flock.
    ::close(static_cast<int>(_handle));
}

bool FileLock::isHeld(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return held;
}

} // namespace TokenBroker
