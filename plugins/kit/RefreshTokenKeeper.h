#pragma once

#include "PluginKit.h"
#include "TokenAnswer.h"

#include <optional>
#include <string>

namespace TokenBroker::Kit {

/// A profile's refresh token, kept in the host's state (`refresh_token`,
/// `stored_at`) for servers that rotate it on every use: the new one is
/// stored durably before the answer's access token is handed out, even from
/// an answer that fails validation, and a rotated token the host could not
/// store (disk full) is held in memory and stored first thing next time,
/// since the server has already invalidated the previous one.
class RefreshTokenKeeper
{
public:
    /// With a `server` (an issuer or token endpoint URL) the stored token
    /// is tagged with it, and one stored for another server is never
    /// presented: a profile moved to a new server must not send it the old
    /// server's refresh token.
    explicit RefreshTokenKeeper(std::string server = {});

    /// The refresh token to present now, read from the state on every call
    /// and never cached (another process sharing the state directory may
    /// have rotated it; the host serialises the profile's calls). A failure
    /// when none is stored (needs_login, with `loginHint`) or when a held
    /// token still cannot be stored.
    std::optional<Outcome> current(Host& host, std::string& refreshToken, const std::string& loginHint);

    /// Stores the answer's refresh token if it has one, then returns its
    /// access token or its failure. `loginHint` ("run: tokenbroker login
    /// NAME") is added when the refresh token is no longer valid.
    Outcome finish(Host& host, const TokenAnswer& answer, const std::string& loginHint);

private:
    bool store(Host& host, const std::string& refreshToken, std::string& error) const;

    std::string _server;
    std::optional<std::string> _unstored;
};

} // namespace TokenBroker::Kit
