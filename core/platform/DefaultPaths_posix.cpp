#include "DefaultPaths.h"

namespace TokenBroker {

std::string platformDefaultConfigPath()
{
    return "/etc/tokenbroker/tokenbroker.yaml";
}

std::string platformDefaultStateDir()
{
    return "/var/lib/tokenbroker";
}

} // namespace TokenBroker
