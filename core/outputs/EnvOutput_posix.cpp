#include "EnvOutput.h"

#include "FileOutput.h"

namespace TokenBroker {

std::unique_ptr<Output> makeEnvOutput(const OutputSpec& spec)
{
    OutputSpec file = spec;
    file.format = "env";
    return std::make_unique<FileOutput>(file);
}

} // namespace TokenBroker
