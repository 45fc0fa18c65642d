#include "Diagnostics.h"

namespace TokenBroker {

std::string SourceLocation::str() const
{
    if (line <= 0)
        return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

ConfigError::ConfigError(SourceLocation location, const std::string& message)
    : std::runtime_error(location.str() + ": error: " + message)
    , _location(std::move(location))
    , _message(message)
{
}

namespace {

std::string joinErrors(const std::vector<ConfigError>& errors)
{
    std::string text;
    for (const auto& e : errors)
    {
        if (!text.empty())
            text += '\n';
        text += e.what();
    }
    return text;
}

} // namespace

ConfigErrors::ConfigErrors(std::vector<ConfigError> errors)
    : std::runtime_error(joinErrors(errors))
    , _errors(std::move(errors))
{
}

void Diagnostics::error(const SourceLocation& location, const std::string& message)
{
    _errors.emplace_back(location, message);
}

void Diagnostics::add(const ConfigError& error)
{
    _errors.push_back(error);
}

void Diagnostics::throwIfAny() const
{
    if (!_errors.empty())
        throw ConfigErrors(_errors);
}

} // namespace TokenBroker
