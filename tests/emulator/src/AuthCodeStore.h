#pragma once

#include "Clock.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace TokenBroker::Emulator {

/// What the authorize step bound a code to.
struct AuthCodeGrant
{
    std::string clientId;
    std::string redirectUri;
    std::string codeChallenge;        ///< empty: no PKCE
    std::string codeChallengeMethod;  ///< as sent; empty means `plain`
};

/// Authorization codes: single-use, short-lived, bound to client, redirect URI
/// and optional PKCE challenge (spec §5 rows 13–14).
class AuthCodeStore
{
public:
    AuthCodeStore(const Clock& clock, std::int64_t ttlSeconds);

    /// A fresh `code_...` for the grant.
    std::string issue(AuthCodeGrant grant);

    /// Checks everything and marks the code used; throws OAuthError
    /// (`invalid_grant`) on an unknown, used, expired or mismatched code or a
    /// wrong PKCE verifier. A failed attempt leaves the code usable, as the
    /// legitimate client may still present it.
    void redeem(const std::string& code, const std::string& clientId, const std::string& redirectUri,
                const std::string& codeVerifier);

    void reset();

private:
    struct Entry
    {
        AuthCodeGrant grant;
        std::int64_t expiresAt = 0;
        bool used = false;
    };

    const Clock& _clock;
    const std::int64_t _ttl;
    std::mutex _mutex;
    std::map<std::string, Entry> _codes;
};

} // namespace TokenBroker::Emulator
