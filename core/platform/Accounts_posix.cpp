#include "Accounts.h"

#include <cstdlib>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <vector>

namespace TokenBroker {

namespace {

std::optional<unsigned> numeric(const std::string& text)
{
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return static_cast<unsigned>(std::strtoul(text.c_str(), nullptr, 10));
}

/// This process's user, by name when it has one.
std::string selfName()
{
    std::vector<char> buffer(16384);
    struct passwd entry, *result = nullptr;
    if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &result) == 0 && result)
        return entry.pw_name;
    return std::to_string(::geteuid());
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

std::optional<std::string> cannotGiveToOwner(const std::string& owner)
{
    const auto uid = lookupUser(owner);
    if (!uid || ::geteuid() == 0 || *uid == ::geteuid())
        return std::nullopt;
    return "tokenbroker runs as '" + selfName() + "', and only root may give a file to another user; leave owner "
           "out and let readers in through group: (see README, Operations)";
}

std::optional<std::string> cannotGiveToGroup(const std::string& group)
{
    const auto gid = lookupGroup(group);
    if (!gid || ::geteuid() == 0 || *gid == ::getegid())
        return std::nullopt;
    const int count = ::getgroups(0, nullptr);
    std::vector<gid_t> groups(static_cast<std::size_t>(count > 0 ? count : 0));
    if (count > 0 && ::getgroups(count, groups.data()) == count)
    {
        for (gid_t member : groups)
        {
            if (member == *gid)
                return std::nullopt;
        }
    }
    const std::string self = selfName();
    return "tokenbroker runs as '" + self + "', which is not in group '" + group + "' and so cannot give it the file; "
           "add it (usermod -aG " + group + " " + self + ") and restart tokenbroker";
}

} // namespace TokenBroker
