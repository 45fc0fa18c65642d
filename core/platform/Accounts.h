#pragma once

#include <optional>
#include <string>

namespace TokenBroker {

/// Resolves a user name or numeric id to a POSIX uid; nothing if unknown.
/// Always nothing on Windows, whose accounts are SIDs (Accounts_win32.h).
std::optional<unsigned> lookupUser(const std::string& name);
/// Resolves a group name or numeric id to a POSIX gid; nothing if unknown
/// (always nothing on Windows).
std::optional<unsigned> lookupGroup(const std::string& name);

/// Whether a file output's `owner` names an account here: a user name or
/// uid on POSIX; on Windows an account or group name ("Users",
/// "NT AUTHORITY\LOCAL SERVICE") or a SID ("S-1-5-32-545").
bool isKnownOwner(const std::string& name);
/// Whether a file output's `group` names a group here: a group name or gid
/// on POSIX; on Windows anything isKnownOwner accepts (an ACE names a user
/// or a group alike).
bool isKnownGroup(const std::string& name);

/// Why this process could not give a file it writes to `owner`, or nothing
/// when it can: only root gives files away (POSIX chown). `owner` is known
/// (isKnownOwner). Always nothing on Windows, where an ACE grants access.
std::optional<std::string> cannotGiveToOwner(const std::string& owner);
/// Why this process could not give a file to `group`, or nothing when it
/// can: without root, only to a group its user is in. Always nothing on
/// Windows.
std::optional<std::string> cannotGiveToGroup(const std::string& group);

} // namespace TokenBroker
