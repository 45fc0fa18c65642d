#pragma once

#include "Token.h"

#include <string>

namespace TokenBroker {

/// The bytes of a token output:
///   raw  -> "TOKEN\n"
///   json -> {"access_token":..., "expires_at":..., "token_type":..., "profile":...}
///   env  -> "NAME=TOKEN\n" (quoted when the token needs it, as systemd's
///           EnvironmentFile= and POSIX shells read it)
std::string formatToken(const Token& token, const std::string& format, const std::string& variable,
                        const std::string& profile);

} // namespace TokenBroker
