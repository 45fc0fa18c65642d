#include "JwtAssertion.h"

#include "PluginKit.h"

#include <Poco/JSON/Object.h>

#include <sstream>

namespace TokenBroker::Jwt {

namespace {

std::string compact(const Poco::JSON::Object& object)
{
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

} // namespace

JwtAssertion::JwtAssertion(std::shared_ptr<const JwsSigningKey> key, const std::string& keyId)
    : _key(std::move(key))
{
    // Insertion order gives the header the SDKs' member order.
    Poco::JSON::Object header(Poco::JSON_PRESERVE_KEY_ORDER);
    header.set("alg", _key->algorithm());
    header.set("typ", "JWT");
    if (!keyId.empty())
        header.set("kid", keyId);
    _encodedHeader = Kit::base64Url(compact(header));
}

std::string JwtAssertion::sign(const JwtClaims& claims) const
{
    Poco::JSON::Object payload(Poco::JSON_PRESERVE_KEY_ORDER);
    payload.set("iss", claims.issuer);
    payload.set("aud", claims.audience);
    payload.set("iat", static_cast<Poco::Int64>(claims.issuedAt));
    payload.set("exp", static_cast<Poco::Int64>(claims.expiresAt));
    payload.set("jti", claims.jwtId);
    if (!claims.sessionName.empty())
        payload.set("session_name", claims.sessionName);
    return sign(payload);
}

std::string JwtAssertion::sign(const Poco::JSON::Object& payload) const
{
    const std::string signingInput = _encodedHeader + "." + Kit::base64Url(compact(payload));
    return signingInput + "." + Kit::base64Url(_key->signJws(signingInput));
}

} // namespace TokenBroker::Jwt
