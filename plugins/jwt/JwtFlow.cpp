// `jwt`: Coze service OAuth (coze-oauth.md §3.6). Every exchange signs a
// fresh RS256 assertion with the app's private key and trades it for a czs_
// access token; such tokens cannot be refreshed, so refresh() signs anew.

#include "CozeProtocol.h"
#include "JwtAssertion.h"
#include "PluginKit.h"
#include "RsaSigningKey.h"

#include <Poco/JSON/Object.h>
#include <Poco/URI.h>

#include <sstream>

namespace {

using namespace TokenBroker::Kit;
using TokenBroker::Jwt::JwtAssertion;
using TokenBroker::Jwt::JwtClaims;
using TokenBroker::Jwt::KeyRejected;
using TokenBroker::Jwt::RsaSigningKey;

const char* const kSchema = R"json({
  "client_id":     {"type": "string", "required": true, "env": "COZE_JWT_OAUTH_CLIENT_ID",
                    "summary": "the service app's id (JWT iss)"},
  "public_key_id": {"type": "string", "required": true, "env": "COZE_JWT_OAUTH_PUBLIC_KEY_ID",
                    "summary": "the key id (fingerprint) shown for the app's public key (JWT kid)"},
  "private_key":   {"type": "secret", "required": true, "env": "COZE_JWT_OAUTH_PRIVATE_KEY",
                    "summary": "PEM RSA private key, PKCS#1 or PKCS#8: {file: PATH}, {env: NAME} or literal"},
  "duration":      {"type": "duration", "summary": "lifetime asked for (duration_seconds), 1s..86399s; default 15m"},
  "scope":         {"type": "object", "summary": "token scope sent as is (channel scenario)"},
  "session_name":  {"type": "string", "summary": "session_name claim: isolates one end user's data"},
  "account_id":    {"type": "string", "summary": "exchange at /api/permission/oauth2/account/{account_id}/token"},
  "aud":           {"type": "string", "summary": "JWT aud; default the host[:port] of base_url"}
})json";

const std::string kGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr std::int64_t kDefaultDuration = 900;
constexpr std::int64_t kMaxDuration = 86399;
/// exp - iat of every assertion. The spec allows 600..3600 s; an assertion is
/// used once, within one request, so the shortest keeps a leaked one useless
/// soonest while still tolerating ten minutes of clock skew.
constexpr std::int64_t kAssertionLifetime = 600;
const std::string kTemporary = "JWT token exchange failed (temporary, retryable): ";

/// The default `aud`: the base URL's host, with the port when one is given
/// and not the scheme's default — what the Python and Go SDKs send (they
/// agree on `api.coze.cn` for the real service).
std::string audienceOf(const std::string& baseUrl)
{
    Poco::URI uri;
    try
    {
        uri = Poco::URI(baseUrl);
    }
    catch (const Poco::Exception&)
    {
    }
    if (uri.getHost().empty())
        throw SettingError("aud", "cannot derive 'aud' from base_url '" + baseUrl + "'; set 'aud'");
    std::string host = uri.getHost();
    if (host.find(':') != std::string::npos)
        host = "[" + host + "]";  // IPv6 literal, as in the URL's authority
    const unsigned short port = uri.getSpecifiedPort();
    const bool defaultPort = (uri.getScheme() == "https" && port == 443) || (uri.getScheme() == "http" && port == 80);
    return port == 0 || defaultPort ? host : host + ":" + std::to_string(port);
}

std::string tokenPath(const std::string& accountId)
{
    if (accountId.empty())
        return "/api/permission/oauth2/token";
    std::string encoded;
    Poco::URI::encode(accountId, "/?#%", encoded);
    return "/api/permission/oauth2/account/" + encoded + "/token";
}

std::string stringify(const Poco::JSON::Object& object)
{
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

std::int64_t checkedDuration(const Settings& settings)
{
    const std::int64_t duration = settings.integer("duration", kDefaultDuration);
    if (duration < 1 || duration > kMaxDuration)
        throw SettingError("duration", "'duration' must be between 1s and " + std::to_string(kMaxDuration) +
                                           "s (Coze's limit for duration_seconds); got " + std::to_string(duration) + "s");
    return duration;
}

std::shared_ptr<const RsaSigningKey> loadKey(const std::string& pem)
{
    try
    {
        return RsaSigningKey::shared(pem);
    }
    catch (const KeyRejected& e)
    {
        throw SettingError("private_key", std::string("'private_key' is unusable: ") + e.what());
    }
}

class JwtFlow : public Flow
{
public:
    explicit JwtFlow(const Settings& settings)
        : _clientId(settings.string("client_id"))
        , _keyId(settings.string("public_key_id"))
        , _duration(checkedDuration(settings))
        , _sessionName(settings.string("session_name", ""))
        , _audience(settings.has("aud") ? settings.string("aud") : audienceOf(settings.string("base_url")))
        , _path(tokenPath(settings.string("account_id", "")))
        , _key(loadKey(settings.string("private_key")))
        , _assertion(_key, _keyId)
    {
        // The body is the same for every exchange.
        Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
        body.set("grant_type", kGrantType);
        body.set("duration_seconds", static_cast<Poco::Int64>(_duration));
        if (auto scope = settings.object("scope"))
            body.set("scope", scope);
        _body = stringify(body);
    }

    Outcome acquire(Host& host) override
    {
        const std::int64_t now = host.nowSeconds();
        JwtClaims claims;
        claims.issuer = _clientId;
        claims.audience = _audience;
        claims.issuedAt = now;
        claims.expiresAt = now + kAssertionLifetime;
        claims.jwtId = hex(host.randomBytes(32));
        claims.sessionName = _sessionName;
        Response response;
        try
        {
            response = host.request("POST", _path, Coze::jsonHeaders(_assertion.sign(claims)), _body);
        }
        catch (const TransportFailure& e)
        {
            return Outcome::failure(TOKENBROKER_RETRY, kTemporary + std::string(e.what()));
        }
        Coze::TokenAnswer answer = Coze::parseTokenAnswer(response, now);
        Outcome& outcome = answer.outcome;
        switch (outcome.status)
        {
        case TOKENBROKER_OK:
            break;
        case TOKENBROKER_RETRY:
            outcome.message = kTemporary + outcome.message;
            break;
        default:
            // A JWT app has nobody to log in: every rejection needs the operator.
            outcome.status = TOKENBROKER_FATAL;
            outcome.message = "JWT token exchange rejected: " + outcome.message;
            if (answer.errorCode == "invalid_client")
                outcome.message += "; check client_id, public_key_id and that private_key is the key registered "
                                   "under that id";
        }
        return outcome;
    }

    Poco::JSON::Object::Ptr describe() const override
    {
        Poco::JSON::Object::Ptr description = new Poco::JSON::Object;
        description->set("client_id", _clientId);
        description->set("public_key_id", _keyId);
        description->set("aud", _audience);
        description->set("endpoint", _path);
        description->set("duration", static_cast<Poco::Int64>(_duration));
        description->set("key", "RSA-" + std::to_string(_key->bits()) + " " + _key->format());
        if (!_sessionName.empty())
            description->set("session_name", _sessionName);
        return description;
    }

private:
    std::string _clientId;
    std::string _keyId;
    std::int64_t _duration;
    std::string _sessionName;
    std::string _audience;
    std::string _path;
    std::shared_ptr<const RsaSigningKey> _key;
    JwtAssertion _assertion;
    std::string _body;
};

std::unique_ptr<Flow> createFlow(const std::string&, const Settings& settings, Host&)
{
    return std::make_unique<JwtFlow>(settings);
}

const tokenbroker_flow kFlows[] = {
    {"jwt", "Coze service OAuth: RS256-signed JWT exchanged for short-lived access tokens", kSchema},
};

} // namespace

TOKENBROKER_KIT_PLUGIN("coze-jwt", TOKENBROKER_VERSION, kFlows, &createFlow)
