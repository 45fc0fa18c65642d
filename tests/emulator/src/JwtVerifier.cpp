#include "JwtVerifier.h"

#include "HttpExchange.h"

#include <Poco/Exception.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

#include <algorithm>
#include <sstream>

namespace TokenBroker::Emulator {

namespace {

[[noreturn]] void reject(const std::string& why)
{
    throw OAuthError("invalid_client", "invalid JWT: " + why);
}

/// An integer claim; JSON numbers with a fraction or strings do not count.
std::int64_t integerClaim(const Poco::JSON::Object& payload, const std::string& name)
{
    if (!payload.has(name) || payload.isNull(name))
        reject("missing " + name);
    Poco::Dynamic::Var value = payload.get(name);
    if (!isJsonInteger(value))
        reject(name + " is not an integer");
    return value.convert<std::int64_t>();
}

/// A string member, or empty when absent or of another type.
std::string textOrEmpty(const Poco::JSON::Object& object, const std::string& name)
{
    return object.has(name) && object.get(name).isString() ? object.getValue<std::string>(name) : std::string();
}

std::string stringClaim(const Poco::JSON::Object& payload, const std::string& name)
{
    std::string value = textOrEmpty(payload, name);
    if (value.empty())
        reject("missing " + name);
    return value;
}

/// `aud` may be a string or, per RFC 7519, an array of strings.
std::vector<std::string> audienceClaim(const Poco::JSON::Object& payload)
{
    std::vector<std::string> result;
    if (payload.isArray("aud"))
    {
        for (const auto& item : *payload.getArray("aud"))
            if (item.isString())
                result.push_back(item.convert<std::string>());
    }
    else if (payload.has("aud") && payload.get("aud").isString())
    {
        result.push_back(payload.getValue<std::string>("aud"));
    }
    return result;
}

} // namespace

JwtVerifier::JwtVerifier(const AppRegistry& apps, std::set<std::string> audiences, const Clock& clock)
    : _apps(apps)
    , _audiences(std::move(audiences))
    , _clock(clock)
{
    for (const auto& app : apps.apps())
    {
        for (const auto& [kid, pem] : app.publicKeys)
        {
            std::istringstream in(pem);
            try
            {
                _keys[kid] = new Poco::Crypto::RSAKey(&in);
            }
            catch (const Poco::Exception& e)
            {
                throw std::runtime_error("app " + app.clientId + ": key " + kid
                                         + " is not an RSA public key PEM: " + e.displayText());
            }
        }
    }
}

JwtGrant JwtVerifier::verify(const std::string& jwt)
{
    if (jwt.empty())
        reject("no bearer token");
    if (std::count(jwt.begin(), jwt.end(), '.') != 2 || jwt.back() == '.')
        reject("not a compact JWS with three parts");

    Poco::JWT::Token unverified;
    std::string alg, typ, kid;
    try
    {
        unverified = jwt;
        const auto& header = unverified.header();
        alg = textOrEmpty(header, "alg");
        typ = textOrEmpty(header, "typ");
        kid = textOrEmpty(header, "kid");
    }
    catch (const Poco::Exception&)
    {
        reject("cannot decode header or payload");
    }
    if (alg != Poco::JWT::Signer::ALGO_RS256)
        reject("alg must be RS256");
    if (typ != "JWT")
        reject("typ must be JWT");
    auto key = _keys.find(kid);
    const App* owner = _apps.findAppByKid(kid);
    if (key == _keys.end() || !owner)
        reject("unknown kid '" + kid + "'");

    Poco::JWT::Signer signer(key->second);
    signer.addAlgorithm(Poco::JWT::Signer::ALGO_RS256);
    Poco::JWT::Token token;
    bool valid = false;
    try
    {
        valid = signer.tryVerify(jwt, token);
    }
    catch (const Poco::Exception&)
    {
    }
    if (!valid)
        reject("signature does not verify with key " + kid);

    const auto& payload = token.payload();
    if (stringClaim(payload, "iss") != owner->clientId)
        reject("iss is not the app that owns key " + kid);
    auto audiences = audienceClaim(payload);
    if (std::none_of(audiences.begin(), audiences.end(), [this](const std::string& aud) { return _audiences.count(aud) > 0; }))
        reject("aud is not accepted");

    const std::int64_t now = _clock.nowSeconds();
    const std::int64_t iat = integerClaim(payload, "iat");
    const std::int64_t exp = integerClaim(payload, "exp");
    if (iat > now + clockSkewSeconds)
        reject("iat is in the future");
    if (exp <= now)
        reject("expired");
    if (exp <= iat)
        reject("exp must be after iat");
    if (exp - iat > _apps.maxJwtLifetime())
        reject("lifetime exp - iat exceeds " + std::to_string(_apps.maxJwtLifetime()) + " s");
    consumeJti(stringClaim(payload, "jti"), exp, now);

    JwtGrant grant;
    grant.app = owner;
    grant.sessionName = textOrEmpty(payload, "session_name");
    return grant;
}

void JwtVerifier::consumeJti(const std::string& jti, std::int64_t exp, std::int64_t now)
{
    std::lock_guard<std::mutex> lock(_mutex);
    // A jti only needs remembering while its JWT could still be accepted;
    // the earliest expiries go first, without walking every spent jti.
    while (!_jtiExpiries.empty() && _jtiExpiries.begin()->first < now)
    {
        _spentJtis.erase(_jtiExpiries.begin()->second);
        _jtiExpiries.erase(_jtiExpiries.begin());
    }
    if (!_spentJtis.emplace(jti, exp).second)
        reject("jti was already used");
    _jtiExpiries.emplace(exp, jti);
}

void JwtVerifier::reset()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _spentJtis.clear();
    _jtiExpiries.clear();
}

} // namespace TokenBroker::Emulator
