#include "FileOwner.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

namespace TokenBroker {

std::optional<std::string> foreignOwner(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || st.st_uid == ::geteuid())
        return std::nullopt;
    std::string owner = "uid " + std::to_string(st.st_uid);
    std::vector<char> buffer(16384);
    struct passwd entry, *result = nullptr;
    if (::getpwuid_r(st.st_uid, &entry, buffer.data(), buffer.size(), &result) == 0 && result)
        owner = "user '" + std::string(entry.pw_name) + "' (uid " + std::to_string(st.st_uid) + ")";
    return "owned by " + owner + ", not by uid " + std::to_string(::geteuid());
}

} // namespace TokenBroker
