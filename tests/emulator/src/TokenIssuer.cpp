#include "TokenIssuer.h"

#include "HttpExchange.h"
#include "Random.h"

namespace TokenBroker::Emulator {

TokenIssuer::TokenIssuer(const Clock& clock, std::int64_t accessTtl, std::int64_t refreshTtl, std::int64_t reuseGrace)
    : _clock(clock)
    , _accessTtl(accessTtl)
    , _refreshTtl(refreshTtl)
    , _reuseGrace(reuseGrace)
{
}

IssuedTokens TokenIssuer::issueServiceToken(const std::string& clientId, std::int64_t durationSeconds,
                                            const std::string& userName)
{
    IssuedTokens tokens;
    tokens.accessToken = "czs_" + Random::alphanumeric(64);
    tokens.expiresAt = _clock.nowSeconds() + durationSeconds;
    std::lock_guard<std::mutex> lock(_mutex);
    _access[tokens.accessToken] = AccessGrant{clientId, userName, tokens.expiresAt};
    return tokens;
}

IssuedTokens TokenIssuer::issueUserTokens(const std::string& clientId)
{
    std::lock_guard<std::mutex> lock(_mutex);
    return issueUserTokensLocked(clientId);
}

IssuedTokens TokenIssuer::issueUserTokensLocked(const std::string& clientId)
{
    const std::int64_t now = _clock.nowSeconds();
    IssuedTokens tokens;
    tokens.accessToken = "czu_" + Random::alphanumeric(64);
    tokens.expiresAt = now + _accessTtl;
    tokens.refreshToken = Random::alphanumeric(48);
    _access[tokens.accessToken] = AccessGrant{clientId, "user-of-" + clientId, tokens.expiresAt};
    _refresh[*tokens.refreshToken] = RefreshEntry{clientId, now + _refreshTtl, std::nullopt, false};
    return tokens;
}

IssuedTokens TokenIssuer::refresh(const std::string& refreshToken, const std::string& clientId)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _refresh.find(refreshToken);
    if (it == _refresh.end())
        throw OAuthError("invalid_grant", "invalid refresh_token");
    RefreshEntry& entry = it->second;
    const std::int64_t now = _clock.nowSeconds();
    if (entry.revoked || (entry.spentAt && now >= *entry.spentAt + _reuseGrace))
        throw OAuthError("invalid_grant", "refresh_token already used or revoked");
    if (now >= entry.expiresAt)
        throw OAuthError("invalid_grant", "refresh_token expired");
    if (entry.clientId != clientId)
        throw OAuthError("invalid_grant", "refresh_token was issued to another client");
    if (!entry.spentAt)
        entry.spentAt = now;
    return issueUserTokensLocked(clientId);
}

bool TokenIssuer::revoke(const std::string& refreshToken)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _refresh.find(refreshToken);
    if (it == _refresh.end())
        return false;
    it->second.revoked = true;
    return true;
}

std::optional<AccessGrant> TokenIssuer::lookup(const std::string& accessToken) const
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _access.find(accessToken);
    if (it == _access.end() || _clock.nowSeconds() >= it->second.expiresAt)
        return std::nullopt;
    return it->second;
}

void TokenIssuer::reset()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _access.clear();
    _refresh.clear();
}

} // namespace TokenBroker::Emulator
