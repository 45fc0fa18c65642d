#include "PluginTrust.h"

#include <windows.h>

namespace TokenBroker {

// Windows protects the install directory with ACLs set by the installer;
// checking them here is not implemented (see README, "Windows notes").
std::optional<std::string> untrustedReason(const std::string&)
{
    return std::nullopt;
}

} // namespace TokenBroker
