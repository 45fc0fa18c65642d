#include "StandardFlow.h"

#include "JwtClaims.h"
#include "RsaSigningKey.h"

#include <Poco/URI.h>

#include <algorithm>
#include <set>

namespace TokenBroker::OAuth2 {

namespace {

const std::string kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// exp - iat of a jwt_bearer assertion: it is used once, at once; five
/// minutes tolerate a server's clock running behind (Google allows an hour).
constexpr std::int64_t kBearerAssertionLifetime = 300;

constexpr std::int64_t kDefaultLifetime = 3600;

/// Members of the token request the flow writes itself.
const std::set<std::string> kReservedParams = {
    "grant_type", "client_id", "client_secret", "client_assertion", "client_assertion_type",
    "assertion",  "scope",     "audience",      "resource",         "refresh_token",
    "code",       "code_verifier", "redirect_uri", "device_code"};

StandardFlow::Grant parseGrant(const Settings& settings)
{
    const std::string name = settings.string("grant");
    for (auto grant : {StandardFlow::Grant::ClientCredentials, StandardFlow::Grant::JwtBearer})
    {
        if (StandardFlow::name(grant) == name)
            return grant;
    }
    throw SettingError("grant", "'grant' must be client_credentials or jwt_bearer; got '" + name + "'");
}

bool absoluteUrl(const std::string& text, bool httpsOnly)
{
    try
    {
        const Poco::URI uri(text);
        const bool scheme = uri.getScheme() == "https" || (!httpsOnly && uri.getScheme() == "http");
        return scheme && !uri.getHost().empty() && uri.getFragment().empty();
    }
    catch (const Poco::Exception&)
    {
        return false;
    }
}

std::string checkedUrl(const Settings& settings, const std::string& key)
{
    const std::string url = settings.string(key, "");
    if (!url.empty() && !absoluteUrl(url, false))
        throw SettingError(key, "'" + key + "' must be an absolute http(s) URL; got '" + url + "'");
    return url;
}

std::shared_ptr<const Jwt::JwtAssertion> makeSigner(const Settings& settings, bool needed)
{
    if (!settings.has("private_key"))
        return nullptr;
    if (!needed)
        throw SettingError("private_key", "'private_key' is used only by grant jwt_bearer and client_auth "
                                          "private_key_jwt");
    const std::string alg = settings.string("alg", "RS256");
    if (alg != "RS256")
        throw SettingError("alg", "'alg' must be RS256; got '" + alg + "'");
    try
    {
        return std::make_shared<Jwt::JwtAssertion>(Jwt::RsaSigningKey::shared(settings.string("private_key")),
                                                   settings.string("key_id", ""));
    }
    catch (const Jwt::KeyRejected& e)
    {
        throw SettingError("private_key", std::string("'private_key' is unusable: ") + e.what());
    }
}

std::string joined(const std::vector<std::string>& words)
{
    std::string text;
    for (const auto& word : words)
        text += (text.empty() ? "" : " ") + word;
    return text;
}

} // namespace

std::string StandardFlow::name(Grant grant)
{
    return grant == Grant::ClientCredentials ? "client_credentials" : "jwt_bearer";
}

std::optional<std::int64_t> StandardFlow::Answers::expiryWithoutExpiresIn(const std::string& accessToken,
                                                                          std::int64_t nowSeconds) const
{
    // RFC 6749 §5.1 makes expires_in optional: a JWT says it itself,
    // anything else is renewed as if it lived default_lifetime.
    if (auto exp = unverifiedJwtExpiry(accessToken))
        return *exp > nowSeconds ? std::optional<std::int64_t>(*exp) : std::nullopt;
    return nowSeconds + _defaultLifetime;
}

StandardFlow::StandardFlow(const Settings& settings)
    : _grant(parseGrant(settings))
    , _clientId(settings.string("client_id", ""))
    , _explicitTokenEndpoint(checkedUrl(settings, "token_endpoint"))
    , _signer(makeSigner(settings, _grant == Grant::JwtBearer || settings.string("client_auth", "") == "private_key_jwt"))
    , _clientAuth(settings, _signer)
    , _scope(settings.strings("scope"))
    , _audience(settings.string("audience", ""))
    , _resource(checkedUrl(settings, "resource"))
    , _extraParams(settings.stringMap("extra_params"))
    , _defaultLifetime(settings.integer("default_lifetime", kDefaultLifetime))
    , _answers(_defaultLifetime)
    , _assertionIssuer(settings.string("assertion_issuer", _clientId))
    , _assertionSubject(settings.string("assertion_subject", _assertionIssuer))
    , _assertionAudience(settings.string("assertion_audience", ""))
    , _assertionClaims(settings.stringMap("assertion_claims"))
{
    const std::string issuer = settings.string("issuer", "");
    if (!issuer.empty())
    {
        if (!absoluteUrl(issuer, true) || !Poco::URI(issuer).getQuery().empty())
            throw SettingError("issuer", "'issuer' must be an https URL without query or fragment; got '" + issuer + "'");
        _issuer = IssuerMetadata::forIssuer(issuer);
    }
    else if (_explicitTokenEndpoint.empty())
    {
        throw SettingError("issuer", "set 'issuer' (its endpoints are discovered) or 'token_endpoint'");
    }
    const std::string publish = settings.string("publish", "access_token");
    if (publish != "access_token" && publish != "id_token")
        throw SettingError("publish", "'publish' must be access_token or id_token; got '" + publish + "'");
    _publishIdToken = publish == "id_token";
    for (const auto& [name, value] : _extraParams)
    {
        if (kReservedParams.count(name))
            throw SettingError("extra_params", "'extra_params' must not set '" + name +
                                                   "': the flow writes it (use the setting of that name)");
    }
    if (_defaultLifetime < 60 || _defaultLifetime > 86400)
        throw SettingError("default_lifetime", "'default_lifetime' must be between 1m and 1d");
    if (_grant == Grant::JwtBearer)
    {
        if (!_signer)
            throw SettingError("private_key", "grant jwt_bearer needs 'private_key' to sign its assertion");
        if (_assertionIssuer.empty())
            throw SettingError("assertion_issuer", "grant jwt_bearer needs 'assertion_issuer' or 'client_id' "
                                                   "(the assertion's iss)");
        for (const char* claim : {"iss", "sub", "aud", "iat", "exp", "jti"})
        {
            if (_assertionClaims.count(claim))
                throw SettingError("assertion_claims", std::string("'assertion_claims' must not set '") + claim +
                                                           "': use assertion_issuer, assertion_subject or "
                                                           "assertion_audience, or leave it to the flow");
        }
    }
    else
    {
        for (const char* key : {"assertion_issuer", "assertion_subject", "assertion_audience", "assertion_claims"})
        {
            if (settings.has(key))
                throw SettingError(key, std::string("'") + key + "' is used only by grant jwt_bearer");
        }
    }
}

std::optional<Outcome> StandardFlow::tokenEndpoint(Host& host, std::string& url) const
{
    if (!_explicitTokenEndpoint.empty())
    {
        url = _explicitTokenEndpoint;
        return std::nullopt;
    }
    Endpoints endpoints;
    if (auto failed = _issuer->endpoints(host, endpoints))
        return failed;
    url = endpoints.token;
    return std::nullopt;
}

std::string StandardFlow::bearerAssertion(Host& host, const std::string& endpoint) const
{
    const std::int64_t now = host.nowSeconds();
    Poco::JSON::Object claims(Poco::JSON_PRESERVE_KEY_ORDER);
    claims.set("iss", _assertionIssuer);
    claims.set("sub", _assertionSubject);
    claims.set("aud", _assertionAudience.empty() ? endpoint : _assertionAudience);
    claims.set("iat", static_cast<Poco::Int64>(now));
    claims.set("exp", static_cast<Poco::Int64>(now + kBearerAssertionLifetime));
    claims.set("jti", hex(host.randomBytes(32)));
    for (const auto& [name, value] : _assertionClaims)
        claims.set(name, value);
    return _signer->sign(claims);
}

Outcome StandardFlow::acquire(Host& host)
{
    std::string endpoint;
    if (auto failed = tokenEndpoint(host, endpoint))
        return *failed;
    FormFields fields;
    if (_grant == Grant::ClientCredentials)
    {
        fields.emplace_back("grant_type", "client_credentials");
    }
    else
    {
        fields.emplace_back("grant_type", kJwtBearerGrant);
        fields.emplace_back("assertion", bearerAssertion(host, endpoint));
    }
    return exchange(host, endpoint, std::move(fields));
}

Outcome StandardFlow::exchange(Host& host, const std::string& endpoint, FormFields fields) const
{
    if (!_scope.empty())
        fields.emplace_back("scope", joined(_scope));
    if (!_audience.empty())
        fields.emplace_back("audience", _audience);
    if (!_resource.empty())
        fields.emplace_back("resource", _resource);
    for (const auto& [name, value] : _extraParams)
        fields.emplace_back(name, value);
    std::map<std::string, std::string> headers = {
        {"Content-Type", "application/x-www-form-urlencoded"},
        {"Accept", "application/json"},
    };
    _clientAuth.apply(host, endpoint, fields, headers);
    Response response;
    try
    {
        response = host.request("POST", endpoint, headers, formBody(fields));
    }
    catch (const TransportFailure& e)
    {
        return Outcome::failure(TOKENBROKER_RETRY, "token request to " + endpoint + " failed: " + e.what());
    }
    TokenAnswer answer = parseTokenAnswer(response, host.nowSeconds(), _answers);
    if (!answer.outcome.ok())
        return rejected(answer.outcome, answer.errorCode, endpoint);
    if (!_publishIdToken)
        return answer.outcome;
    const std::string idToken = stringMember(answer.body, "id_token");
    if (idToken.empty())
        return Outcome::failure(TOKENBROKER_FATAL, "publish is id_token, but the answer from " + endpoint +
                                                       " has none (an OpenID Connect server issues one for "
                                                       "scope openid)");
    const auto expiresAt = unverifiedJwtExpiry(idToken);
    if (!expiresAt || *expiresAt <= host.nowSeconds())
        return Outcome::failure(TOKENBROKER_RETRY, "the id_token from " + endpoint + " has no future exp claim");
    return Outcome::token(idToken, *expiresAt);
}

Outcome StandardFlow::rejected(Outcome outcome, const std::string& errorCode, const std::string& endpoint) const
{
    if (outcome.status == TOKENBROKER_RETRY)
    {
        outcome.message = "token request to " + endpoint + " failed (temporary, retried): " + outcome.message;
        return outcome;
    }
    outcome.status = TOKENBROKER_FATAL;
    outcome.message = "token request to " + endpoint + " rejected: " + outcome.message;
    if (errorCode == "invalid_client")
        outcome.message += "; check client_id and the credentials client_auth " +
                           ClientAuthentication::name(_clientAuth.method()) + " sends";
    else if (errorCode == "invalid_grant" && _grant == Grant::JwtBearer)
        outcome.message += "; the server refused the assertion: check private_key, key_id and assertion_*";
    else if (errorCode == "invalid_scope")
        outcome.message += "; check 'scope'";
    else if (errorCode == "unauthorized_client")
        outcome.message += "; the client is not allowed grant " + name(_grant);
    return outcome;
}

Poco::JSON::Object::Ptr StandardFlow::describe() const
{
    Poco::JSON::Object::Ptr description = new Poco::JSON::Object;
    description->set("grant", name(_grant));
    if (!_clientId.empty())
        description->set("client_id", _clientId);
    description->set("client_auth", ClientAuthentication::name(_clientAuth.method()));
    if (_issuer)
        description->set("issuer", _issuer->issuer());
    if (!_explicitTokenEndpoint.empty())
        description->set("token_endpoint", _explicitTokenEndpoint);
    if (!_scope.empty())
        description->set("scope", joined(_scope));
    if (!_audience.empty())
        description->set("audience", _audience);
    if (!_resource.empty())
        description->set("resource", _resource);
    description->set("publish", _publishIdToken ? "id_token" : "access_token");
    return description;
}

} // namespace TokenBroker::OAuth2
