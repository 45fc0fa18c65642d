#pragma once

#include "JwsSigningKey.h"

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <memory>
#include <string>

namespace TokenBroker::Jwt {

/// The claims of one Coze service-app assertion (coze-oauth.md §3.6).
struct JwtClaims
{
    std::string issuer;          ///< iss: the app's client id
    std::string audience;        ///< aud: the API host
    std::int64_t issuedAt = 0;   ///< iat, Unix seconds
    std::int64_t expiresAt = 0;  ///< exp, Unix seconds
    std::string jwtId;           ///< jti: fresh for every assertion
    std::string sessionName;     ///< session_name; omitted when empty
};

/// Signs compact JWS assertions with one key (RS256 or ES256, as the key
/// is) under one key id. The header never changes, so it is encoded once.
class JwtAssertion
{
public:
    /// An empty `keyId` leaves `kid` out of the header.
    JwtAssertion(std::shared_ptr<const JwsSigningKey> key, const std::string& keyId);

    /// `header.payload.signature`, each part base64url without padding.
    /// iat and exp are written as JSON integers (Coze rejects fractions).
    std::string sign(const JwtClaims& claims) const;

    /// The same for any claims set (RFC 7523 assertions of other servers).
    std::string sign(const Poco::JSON::Object& payload) const;

    /// The encoded header, `{"alg":"RS256","typ":"JWT","kid":...}`.
    const std::string& encodedHeader() const { return _encodedHeader; }

private:
    std::shared_ptr<const JwsSigningKey> _key;
    std::string _encodedHeader;
};

} // namespace TokenBroker::Jwt
