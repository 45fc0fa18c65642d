#pragma once

#include <optional>
#include <string>

namespace TokenBroker {

/// Why a plugin file or directory must not be trusted, or nothing if it may:
/// on POSIX, writable by group or others, or owned by someone other than
/// root or this process's user; on Windows, owned or changeable by someone
/// other than SYSTEM, Administrators, TrustedInstaller or this process's
/// account (PluginTrust_win32.h).
std::optional<std::string> untrustedReason(const std::string& path);

} // namespace TokenBroker
