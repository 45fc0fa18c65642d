#include "AuthCodeStore.h"

#include "HttpExchange.h"
#include "Pkce.h"
#include "Random.h"

namespace TokenBroker::Emulator {

AuthCodeStore::AuthCodeStore(const Clock& clock, std::int64_t ttlSeconds)
    : _clock(clock)
    , _ttl(ttlSeconds)
{
}

std::string AuthCodeStore::issue(AuthCodeGrant grant)
{
    std::string code = "code_" + Random::alphanumeric(40);
    std::lock_guard<std::mutex> lock(_mutex);
    _codes[code] = Entry{std::move(grant), _clock.nowSeconds() + _ttl, false};
    return code;
}

void AuthCodeStore::redeem(const std::string& code, const std::string& clientId, const std::string& redirectUri,
                           const std::string& codeVerifier)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _codes.find(code);
    if (it == _codes.end())
        throw OAuthError("invalid_grant", "invalid code");
    Entry& entry = it->second;
    if (entry.used)
        throw OAuthError("invalid_grant", "code already used");
    if (_clock.nowSeconds() >= entry.expiresAt)
        throw OAuthError("invalid_grant", "code expired");
    if (entry.grant.clientId != clientId)
        throw OAuthError("invalid_grant", "code was issued to another client");
    if (entry.grant.redirectUri != redirectUri)
        throw OAuthError("invalid_grant", "redirect_uri does not match the authorize request");
    if (!entry.grant.codeChallenge.empty()
        && !Pkce::matches(codeVerifier, entry.grant.codeChallenge, entry.grant.codeChallengeMethod))
        throw OAuthError("invalid_grant", "code_verifier does not match code_challenge");
    entry.used = true;
}

void AuthCodeStore::reset()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _codes.clear();
}

} // namespace TokenBroker::Emulator
