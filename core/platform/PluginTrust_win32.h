#pragma once

// The Windows plugin trust decision as a function of a security descriptor,
// so that tests can judge descriptors given as SDDL (Windows only).

#include <windows.h>

#include <optional>
#include <string>

namespace TokenBroker::Win32 {

/// Why a plugin file or directory with this owner and DACL must not be
/// trusted, naming the principal and `path`, or nothing if it may: the
/// owner (who can always rewrite the DACL) and every principal that an
/// allow entry gives a right to change the file or directory (write or
/// append data, add or delete entries, delete, change the DACL or owner,
/// generic write or all) must be SYSTEM, Administrators, TrustedInstaller
/// or the account this process runs as, the Windows counterpart of "root or
/// this process's user" on POSIX. Inherit-only entries do not apply to the
/// object itself and are skipped; CREATOR OWNER and OWNER RIGHTS stand for
/// the owner, which is checked. A missing DACL lets everyone write. Deny
/// entries are not credited: a grant is refused even if a deny entry would
/// mask it.
std::optional<std::string> untrustedReason(PSECURITY_DESCRIPTOR descriptor, const std::string& path);

} // namespace TokenBroker::Win32
