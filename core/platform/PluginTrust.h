#pragma once

#include <optional>
#include <string>

namespace TokenBroker {

/// Why a plugin file or directory must not be trusted, or nothing if it may:
/// on POSIX, writable by group or others, or owned by someone other than
/// root or this process's user.
std::optional<std::string> untrustedReason(const std::string& path);

} // namespace TokenBroker
