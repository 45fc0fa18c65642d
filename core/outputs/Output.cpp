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
    // Judged for the user who runs this: the unit's ExecStartPre runs
    // `check` as the service user, so a file that user could never hand over
    // stops the start with this line instead of failing every renewal.
    if (!spec.owner.empty())
    {
        if (auto why = cannotGiveToOwner(spec.owner))
            throw ConfigError(spec.ownerLocation, "output owner '" + spec.owner + "': " + *why);
    }
    if (!spec.group.empty())
    {
        if (auto why = cannotGiveToGroup(spec.group))
            throw ConfigError(spec.groupLocation, "output group '" + spec.group + "': " + *why);
    }
}

} // namespace TokenBroker
