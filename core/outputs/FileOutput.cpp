#include "FileOutput.h"
#include "FileSystem.h"

#include "TokenFormat.h"

namespace TokenBroker {

FileOutput::FileOutput(const OutputSpec& spec)
    : _path(spec.path)
    , _format(spec.format)
    , _variable(spec.variable)
{
    _attributes.mode = spec.mode.value_or(0600);
    _attributes.owner = spec.owner;
    _attributes.group = spec.group;
}

void FileOutput::publish(const Token& token, const std::string& profile)
{
    writeFileAtomically(_path, formatToken(token, _format, _variable, profile), _attributes);
}

void FileOutput::withdraw()
{
    removeFile(_path);
}

std::string FileOutput::describe() const
{
    return "file " + _path + " (" + _format + ", " + describeAccess(_attributes) + ")";
}

} // namespace TokenBroker
