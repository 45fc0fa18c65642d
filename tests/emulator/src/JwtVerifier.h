#pragma once

#include "AppRegistry.h"
#include "Clock.h"

#include <Poco/Crypto/RSAKey.h>
#include <Poco/SharedPtr.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

namespace TokenBroker::Emulator {

/// What a verified JWT grant tells the token endpoint.
struct JwtGrant
{
    const App* app = nullptr;
    std::string sessionName;  ///< empty when the claim is absent
};

/// Checks a service-app JWT the way Coze does (spec §5 rows 4–9): compact
/// RS256 JWS with `typ` JWT, registered `kid` and valid signature, `iss` owning
/// the key, accepted `aud`, sane `iat`/`exp`, and a never-seen `jti`.
class JwtVerifier
{
public:
    static constexpr std::int64_t clockSkewSeconds = 60;

    /// Parses every registered public key up front so a bad PEM fails at
    /// startup instead of on the first exchange.
    JwtVerifier(const AppRegistry& apps, std::set<std::string> audiences, const Clock& clock);

    /// Verifies and, on success, records the `jti` as spent until the JWT's
    /// `exp`. Throws OAuthError(`invalid_client`) otherwise.
    JwtGrant verify(const std::string& jwt);

    /// Forgets every spent `jti`.
    void reset();

private:
    void consumeJti(const std::string& jti, std::int64_t exp, std::int64_t now);

    const AppRegistry& _apps;
    std::set<std::string> _audiences;
    const Clock& _clock;
    std::map<std::string, Poco::SharedPtr<Poco::Crypto::RSAKey>> _keys; ///< by kid
    std::mutex _mutex;
    std::map<std::string, std::int64_t> _spentJtis; ///< jti -> exp
    std::multimap<std::int64_t, std::string> _jtiExpiries; ///< exp -> jti, oldest first
};

} // namespace TokenBroker::Emulator
