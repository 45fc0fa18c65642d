#include "Accounts.h"

namespace TokenBroker {

// Windows accounts are not mapped to file owners yet: token files inherit
// the ACL of their directory (see README, "Windows notes").
const bool accountsResolvable = false;

std::optional<unsigned> lookupUser(const std::string&)
{
    return std::nullopt;
}

std::optional<unsigned> lookupGroup(const std::string&)
{
    return std::nullopt;
}

} // namespace TokenBroker
