#pragma once

// Windows accounts as SIDs, for the Windows implementations in platform/
// and the Windows tests (not a platform interface: no POSIX counterpart).

#include <windows.h>

#include <optional>
#include <string>

namespace TokenBroker::Win32 {

/// The SID, in string form ("S-1-5-32-545"), of an account or group name
/// ("Users", "NT AUTHORITY\SYSTEM", a local user) or of a SID string (a name
/// starting with "S-"; any well-formed SID, as a POSIX uid need not name a
/// user); nothing when it resolves to neither.
std::optional<std::string> accountSid(const std::string& name);

/// The SID of the account this process runs as (its token's user).
std::string processAccountSid();

/// The string form of a binary SID.
std::string sidText(PSID sid);

/// "NAME (SID)" for messages ("Everyone (S-1-1-0)", "NT AUTHORITY\SYSTEM
/// (S-1-5-18)"), or the SID alone when no account has it.
std::string describeSid(PSID sid);

} // namespace TokenBroker::Win32
