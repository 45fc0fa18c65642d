#pragma once

#include "Clock.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace TokenBroker::Emulator {

/// A token answer: absolute `expires_in`, refresh token for user tokens only.
struct IssuedTokens
{
    std::string accessToken;
    std::int64_t expiresAt = 0;
    std::optional<std::string> refreshToken;
};

/// Who an access token speaks for, as `/v1/users/me` reports it.
struct AccessGrant
{
    std::string clientId;
    std::string userName;
    std::int64_t expiresAt = 0;
};

/// Issues and remembers access and refresh tokens: `czs_` service tokens for
/// JWT apps, `czu_` user tokens plus rotating refresh tokens for the others.
class TokenIssuer
{
public:
    /// `reuseGrace`: seconds a rotated refresh token is still accepted
    /// (0 = strict rotation, the documented Coze behaviour; a grace is an
    /// assumption modelled on OAuth servers that tolerate a lost answer).
    TokenIssuer(const Clock& clock, std::int64_t accessTtl, std::int64_t refreshTtl, std::int64_t reuseGrace = 0);

    /// JWT exchange: lives `durationSeconds`, no refresh token.
    IssuedTokens issueServiceToken(const std::string& clientId, std::int64_t durationSeconds,
                                   const std::string& userName);

    /// Code, PKCE and device flows.
    IssuedTokens issueUserTokens(const std::string& clientId);

    /// Rotation: the presented refresh token is invalidated (after the reuse
    /// grace) and a new pair is issued. Throws OAuthError(`invalid_grant`)
    /// when it is unknown, used beyond the grace, revoked, expired or belongs
    /// to another client.
    IssuedTokens refresh(const std::string& refreshToken, const std::string& clientId);

    /// Invalidates a refresh token; false if unknown.
    bool revoke(const std::string& refreshToken);

    /// The grant of a known, unexpired access token.
    std::optional<AccessGrant> lookup(const std::string& accessToken) const;

    void reset();

private:
    struct RefreshEntry
    {
        std::string clientId;
        std::int64_t expiresAt = 0;
        std::optional<std::int64_t> spentAt;   ///< first rotation
        bool revoked = false;
    };

    IssuedTokens issueUserTokensLocked(const std::string& clientId);

    const Clock& _clock;
    const std::int64_t _accessTtl;
    const std::int64_t _refreshTtl;
    const std::int64_t _reuseGrace;
    mutable std::mutex _mutex;
    std::map<std::string, AccessGrant> _access;
    std::map<std::string, RefreshEntry> _refresh;
};

} // namespace TokenBroker::Emulator
