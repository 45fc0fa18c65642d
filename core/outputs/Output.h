#pragma once

#include "Config.h"
#include "Token.h"

#include <memory>
#include <string>

namespace TokenBroker {

/// A place where a profile's current token is published.
class Output
{
public:
    virtual ~Output() = default;

    /// Writes the token; throws WriteError (the previous token stays).
    virtual void publish(const Token& token, const std::string& profile) = 0;

    /// Removes the token (it expired, or the profile was removed).
    virtual void withdraw() = 0;

    /// "file /run/tokenbroker/x.token (raw, 0640)" — for logs and status.
    virtual std::string describe() const = 0;

    /// The file or registry value written, for on_rotate's environment.
    virtual std::string target() const = 0;
};

/// Builds the output an OutputSpec describes for this platform.
std::unique_ptr<Output> makeOutput(const OutputSpec& spec);

/// Checks what can be checked before the first write (owner and group
/// exist, an env output's platform rules: validateEnvOutput); throws
/// ConfigError at the output's position.
void validateOutput(const OutputSpec& spec);

} // namespace TokenBroker
