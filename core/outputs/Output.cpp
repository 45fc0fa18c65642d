#include "Output.h"

#include "Accounts.h"
#include "EnvOutput.h"
#include "FileOutput.h"

namespace TokenBroker {

std::unique_ptr<Output> makeOutput(const OutputSpec& spec)
{
    if (spec.kind == OutputSpec::Kind::Env)
        return makeEnvOutput(spec);
    return std::make_unique<FileOutput>(spec);
}

void validateOutput(const OutputSpec& spec)
{
    if (spec.kind == OutputSpec::Kind::Env)
        validateEnvOutput(spec);
    if (!spec.owner.empty() && !isKnownOwner(spec.owner))
        throw ConfigError(spec.location, "output owner '" + spec.owner + "' is not a known user");
    if (!spec.group.empty() && !isKnownGroup(spec.group))
        throw ConfigError(spec.location, "output group '" + spec.group + "' is not a known group");
}

} // namespace TokenBroker
