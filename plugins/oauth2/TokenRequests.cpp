#include "TokenRequests.h"

#include "EcSigningKey.h"
#include "JwtClaims.h"
#include "RsaSigningKey.h"

#include <Poco/URI.h>

#include <set>

namespace TokenBroker::OAuth2 {

namespace {

constexpr std::int64_t kDefaultLifetime = 3600;

/// Members of token requests the flow writes itself.
const std::set<std::string> kReservedParams = {
    "grant_type", "client_id",     "client_secret", "client_assertion", "client_assertion_type",
    "assertion",  "scope",         "audience",      "resource",         "refresh_token",
    "code",       "code_verifier", "redirect_uri",  "device_code"};

std::string checkedUrl(const Settings& settings, const std::string& key)
{
    const std::string url = settings.string(key, "");
    if (!url.empty() && !absoluteUrl(url, false))
        throw SettingError(key, "'" + key + "' must be an absolute http(s) URL; got '" + url + "'");
    return url;
}

} // namespace

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

std::shared_ptr<const Jwt::JwtAssertion> assertionSigner(const Settings& settings)
{
    if (!settings.has("private_key"))
        return nullptr;
    const std::string alg = settings.string("alg", "RS256");
    if (alg != "RS256" && alg != "ES256")
        throw SettingError("alg", "'alg' must be RS256 or ES256; got '" + alg + "'");
    const std::string pem = settings.string("private_key");
    try
    {
        std::shared_ptr<const Jwt::JwsSigningKey> key;
        if (alg == "RS256")
            key = Jwt::RsaSigningKey::shared(pem);
        else
            key = Jwt::EcSigningKey::shared(pem);
        return std::make_shared<Jwt::JwtAssertion>(key, settings.string("key_id", ""));
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

std::optional<std::int64_t> TokenRequests::Answers::expiryWithoutExpiresIn(const std::string& accessToken,
                                                                           std::int64_t nowSeconds) const
{
    // RFC 6749 §5.1 makes expires_in optional: a JWT says it itself,
    // anything else is renewed as if it lived default_lifetime.
    if (auto exp = unverifiedJwtExpiry(accessToken))
        return *exp > nowSeconds ? std::optional<std::int64_t>(*exp) : std::nullopt;
    return nowSeconds + _defaultLifetime;
}

TokenRequests::TokenRequests(const Settings& settings, std::shared_ptr<const Jwt::JwtAssertion> signer,
                             bool grantSigns)
    : _clientId(settings.string("client_id", ""))
    , _explicit{checkedUrl(settings, "token_endpoint"), checkedUrl(settings, "authorization_endpoint"),
                checkedUrl(settings, "device_authorization_endpoint")}
    , _clientAuth(settings, std::move(signer))
    , _scope(settings.strings("scope"))
    , _audience(settings.string("audience", ""))
    , _resource(checkedUrl(settings, "resource"))
    , _extraParams(settings.stringMap("extra_params"))
    , _defaultLifetime(settings.integer("default_lifetime", kDefaultLifetime))
    , _answers(_defaultLifetime)
{
    const std::string issuer = settings.string("issuer", "");
    if (!issuer.empty())
    {
        if (!absoluteUrl(issuer, true) || !Poco::URI(issuer).getQuery().empty())
            throw SettingError("issuer", "'issuer' must be an https URL without query or fragment; got '" + issuer + "'");
        _issuer = IssuerMetadata::forIssuer(issuer);
    }
    else if (_explicit.token.empty())
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
    if (settings.has("private_key") && !grantSigns && _clientAuth.method() != ClientAuthentication::Method::PrivateKeyJwt)
        throw SettingError("private_key", "'private_key' is used only by grant jwt_bearer and client_auth "
                                          "private_key_jwt");
}

std::string TokenRequests::server() const
{
    return _issuer ? _issuer->issuer() : _explicit.token;
}

std::string TokenRequests::scope() const
{
    return joined(_scope);
}

std::optional<Outcome> TokenRequests::endpoints(Host& host, Endpoints& result) const
{
    result = _explicit;
    if (!_issuer)
        return std::nullopt;
    Endpoints discovered;
    if (auto failed = _issuer->endpoints(host, discovered))
        return failed;
    if (result.token.empty())
        result.token = discovered.token;
    if (result.authorization.empty())
        result.authorization = discovered.authorization;
    if (result.deviceAuthorization.empty())
        result.deviceAuthorization = discovered.deviceAuthorization;
    return std::nullopt;
}

Response TokenRequests::send(Host& host, const std::string& endpoint, FormFields fields, bool withScope) const
{
    if (withScope && !_scope.empty())
        fields.emplace_back("scope", scope());
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
    return host.request("POST", endpoint, headers, formBody(fields));
}

TokenAnswer TokenRequests::post(Host& host, const std::string& endpoint, FormFields fields, bool withScope,
                                bool throwOnTransport) const
{
    Response response;
    try
    {
        response = send(host, endpoint, std::move(fields), withScope);
    }
    catch (const TransportFailure& e)
    {
        if (throwOnTransport)
            throw;
        TokenAnswer lost;
        lost.outcome = Outcome::failure(TOKENBROKER_RETRY, e.what());
        return lost;
    }
    return parseTokenAnswer(response, host.nowSeconds(), _answers);
}

Outcome TokenRequests::published(Host& host, const TokenAnswer& answer, const std::string& endpoint) const
{
    if (!answer.outcome.ok() || !_publishIdToken)
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

Outcome TokenRequests::explained(Outcome outcome, const std::string& errorCode, const std::string& endpoint) const
{
    if (outcome.ok())
        return outcome;
    if (outcome.status == TOKENBROKER_RETRY)
    {
        outcome.message = "token request to " + endpoint + " failed (temporary, retried): " + outcome.message;
        return outcome;
    }
    outcome.message = "token request to " + endpoint + " rejected: " + outcome.message;
    if (errorCode == "invalid_client")
        outcome.message += "; check client_id and the credentials client_auth " +
                           ClientAuthentication::name(_clientAuth.method()) + " sends";
    else if (errorCode == "invalid_scope")
        outcome.message += "; check 'scope'";
    else if (errorCode == "invalid_target")
        outcome.message += "; check 'resource' and 'audience'";
    else if (errorCode == "unauthorized_client")
        outcome.message += "; the client is not allowed this grant";
    return outcome;
}

void TokenRequests::describe(Poco::JSON::Object& description) const
{
    if (!_clientId.empty())
        description.set("client_id", _clientId);
    description.set("client_auth", ClientAuthentication::name(_clientAuth.method()));
    if (_issuer)
        description.set("issuer", _issuer->issuer());
    if (!_explicit.token.empty())
        description.set("token_endpoint", _explicit.token);
    if (!_scope.empty())
        description.set("scope", scope());
    if (!_audience.empty())
        description.set("audience", _audience);
    if (!_resource.empty())
        description.set("resource", _resource);
    description.set("publish", _publishIdToken ? "id_token" : "access_token");
}

} // namespace TokenBroker::OAuth2
