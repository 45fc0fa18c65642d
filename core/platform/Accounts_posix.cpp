#include "Accounts.h"

#include <cstdlib>
#include <grp.h>
#include <pwd.h>
#include <vector>

namespace TokenBroker {

namespace {

std::optional<unsigned> numeric(const std::string& text)
{
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return static_cast<unsigned>(std::strtoul(text.c_str(), nullptr, 10));
}

} // namespace

std::optional<unsigned> lookupUser(const std::string& name)
{
    if (auto id = numeric(name))
        return id;
    std::vector<char> buffer(16384);
    struct passwd entry, *result = nullptr;
    if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &result) != 0 || !result)
        return std::nullopt;
    return entry.pw_uid;
}

std::optional<unsigned> lookupGroup(const std::string& name)
{
    if (auto id = numeric(name))
        return id;
    std::vector<char> buffer(16384);
    struct group entry, *result = nullptr;
    if (::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &result) != 0 || !result)
        return std::nullopt;
    return entry.gr_gid;
}

bool isKnownOwner(const std::string& name)
{
    return lookupUser(name).has_value();
}

bool isKnownGroup(const std::string& name)
{
    return lookupGroup(name).has_value();
}

} // namespace TokenBroker
