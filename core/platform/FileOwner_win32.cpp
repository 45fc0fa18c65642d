#include "FileOwner.h"

namespace TokenBroker {

std::optional<std::string> foreignOwner(const std::string&)
{
    return std::nullopt;
}

} // namespace TokenBroker
