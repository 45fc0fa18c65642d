#pragma once

#include "LoginInteraction.h"
#include "Token.h"

#include <tokenbroker/plugin.h>

#include <cstdint>
#include <optional>
#include <string>

namespace TokenBroker {

/// What an acquire or refresh call produced.
struct FlowResult
{
    tokenbroker_status status = TOKENBROKER_FATAL;
    Token token;                              ///< when status is OK
    std::string message;                      ///< otherwise
    std::optional<std::int64_t> retryAfter;   ///< seconds, when the server said

    bool ok() const { return status == TOKENBROKER_OK; }
};

/// Where a profile's tokens come from: a plugin's flow instance
/// (FlowInstance), or a scripted stand-in in the engine's tests. Not
/// thread-safe: the caller serialises calls, as the plugin ABI requires,
/// and holds the profile's state lock around each.
class Flow
{
public:
    virtual ~Flow() = default;

    /// Obtains a token without a current one.
    virtual FlowResult acquire() = 0;
    /// Renews the current token (e.g. with a stored refresh token).
    virtual FlowResult refresh() = 0;
    /// The interactive first authorisation, with `interaction` as the user.
    virtual FlowResult login(LoginInteraction& interaction) = 0;
    virtual bool supportsLogin() const = 0;
    /// Non-secret facts about the flow instance (JSON object text).
    virtual std::string describe() = 0;
};

} // namespace TokenBroker
