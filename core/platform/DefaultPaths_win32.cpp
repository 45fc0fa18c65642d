#include "DefaultPaths.h"

#include <Poco/Environment.h>

namespace TokenBroker {

std::string platformDefaultConfigPath()
{
    return Poco::Environment::get("ProgramData", "C:\\ProgramData") + "\\TokenBroker\\tokenbroker.yaml";
}

std::string platformDefaultStateDir()
{
    return Poco::Environment::get("ProgramData", "C:\\ProgramData") + "\\TokenBroker\\state";
}

} // namespace TokenBroker
