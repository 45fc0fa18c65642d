#pragma once

// The browser half of the authorization code grant (RFC 6749 §4.1) with
// PKCE (RFC 7636), as every provider runs it: fresh state and verifier, the
// user sent to the authorization URL, the redirect received on the host's
// loopback listener and read.

#include "PluginKit.h"

#include <optional>
#include <string>

namespace TokenBroker::Kit {

/// BASE64URL(SHA256(verifier)) — the S256 code challenge.
std::string s256Challenge(const std::string& verifier);

/// One login attempt's secrets: 128 bits of state and a 43-character
/// verifier (256 bits) with its challenge (`plain`: the verifier itself).
struct AuthorizationAttempt
{
    std::string state;
    std::string verifier;
    std::string challenge;

    static AuthorizationAttempt create(Host& host, bool plainChallenge = false);
};

/// Sends the user to `authorizeUrl`, waits up to `timeoutSeconds` for the
/// redirect to `redirectUri` carrying `state`, and returns its code, or a
/// failure: the refusal the server redirected with (`error`), no code, or
/// (RFC 9207) an `iss` other than `expectedIssuer` when one is expected.
std::optional<Outcome> awaitAuthorizationCode(Host& host, const std::string& redirectUri,
                                              const std::string& authorizeUrl, const std::string& state,
                                              std::int64_t timeoutSeconds, std::string& code,
                                              const std::string& expectedIssuer = "");

} // namespace TokenBroker::Kit
