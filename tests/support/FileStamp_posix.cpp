#include "FileStamp.h"

#include <sys/stat.h>

namespace TokenBroker::Test {

std::optional<FileStamp> fileStamp(const std::string& path)
{
    struct stat info{};
    if (::stat(path.c_str(), &info) != 0)
        return std::nullopt;
    return FileStamp{static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000LL + info.st_mtim.tv_nsec,
                     static_cast<std::uint64_t>(info.st_ino)};
}

} // namespace TokenBroker::Test
