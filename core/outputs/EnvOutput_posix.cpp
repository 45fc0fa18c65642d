#include "EnvOutput.h"

#include "FileOutput.h"

namespace TokenBroker {

std::unique_ptr<Output> makeEnvOutput(const OutputSpec& spec)
{
    OutputSpec file = spec;
    file.format = "env";
    return std::make_unique<FileOutput>(file);
}

void validateEnvOutput(const OutputSpec& spec)
{
    // Refused rather than ignored: a config that relies on it would publish
    // to a file nobody named, and the operator would not know.
    if (!spec.user.empty())
        throw ConfigError(spec.userLocation,
                          "'user' applies to Windows registry environments only; here an env output is an "
                          "env-file: give it owner/group (and mode) for the user who reads it");
}

} // namespace TokenBroker
