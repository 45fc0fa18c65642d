#include "PluginTrust.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace TokenBroker {

std::optional<std::string> untrustedReason(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        return "cannot stat " + path + ": " + std::strerror(errno);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
    {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return path + " is writable by group or others (mode " + mode + "); run chmod go-w on it";
    }
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        return path + " is owned by uid " + std::to_string(st.st_uid) + ", neither root nor the service user";
    return std::nullopt;
}

} // namespace TokenBroker
