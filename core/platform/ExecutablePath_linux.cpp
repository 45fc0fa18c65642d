#include "ExecutablePath.h"

#include <limits.h>
#include <unistd.h>

namespace TokenBroker {

// /proc/self/exe is Linux's; other Unix systems would need their own file.
std::string executableDirectory()
{
    char buffer[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (n <= 0)
        return ".";
    std::string path(buffer, static_cast<std::size_t>(n));
    return path.substr(0, path.find_last_of('/'));
}

} // namespace TokenBroker
