#include "AtomicReader.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace TokenBroker::Test::AtomicReader {

namespace {

volatile std::sig_atomic_t stopFlag = 0;

void onTerminate(int)
{
    stopFlag = 1;
}

} // namespace

void watchForStop()
{
    struct sigaction action = {};
    action.sa_handler = onTerminate;
    ::sigaction(SIGTERM, &action, nullptr);
}

bool stopRequested()
{
    return stopFlag != 0;
}

bool readWhole(const char* path, std::string& content, std::string& problem)
{
    content.clear();
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
    {
        problem = std::string("open failed: ") + std::strerror(errno);
        return false;
    }
    char buffer[65536];
    for (;;)
    {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
        {
            problem = std::string("read failed: ") + std::strerror(errno);
            ::close(fd);
            return false;
        }
        if (n == 0)
            break;
        content.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return true;
}

} // namespace TokenBroker::Test::AtomicReader
