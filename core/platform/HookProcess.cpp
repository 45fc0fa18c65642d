#include "HookProcess.h"

#include <Poco/Environment.h>

namespace TokenBroker {

std::map<std::string, std::string> hookEnvironment(const std::vector<std::string>& inherited,
                                                   const std::map<std::string, std::string>& extra)
{
    std::map<std::string, std::string> env;
    for (const auto& name : inherited)
    {
        if (Poco::Environment::has(name))
            env[name] = Poco::Environment::get(name);
    }
    for (const auto& [name, value] : extra)
        env[name] = value;
    return env;
}

} // namespace TokenBroker
