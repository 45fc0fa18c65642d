#include "FileLock.h"

#include "AtomicFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace TokenBroker {

FileLock::FileLock(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        throw WriteError("cannot open lock file " + path + ": " + std::strerror(errno));
    while (::flock(fd, LOCK_EX) != 0)
    {
        if (errno != EINTR)
        {
            int error = errno;
            ::close(fd);
            throw WriteError("cannot lock " + path + ": " + std::strerror(error));
        }
    }
    _handle = fd;
}

FileLock::~FileLock()
{
    // Closing releases the flock.
    ::close(static_cast<int>(_handle));
}

} // namespace TokenBroker
