#pragma once

#include <optional>
#include <string>

namespace TokenBroker {

/// Resolves a user name or numeric id; nothing if unknown.
std::optional<unsigned> lookupUser(const std::string& name);
/// Resolves a group name or numeric id; nothing if unknown.
std::optional<unsigned> lookupGroup(const std::string& name);

/// Whether file owners and groups are resolved on this platform (POSIX);
/// where they are not, `owner`/`group` settings are not checked here.
extern const bool accountsResolvable;

} // namespace TokenBroker
