#include "UserGrantFlow.h"

#include "AuthorizationCode.h"
#include "DeviceAuthorization.h"
#include "JwtClaims.h"

#include <Poco/URI.h>

namespace TokenBroker::OAuth2 {

namespace {

const std::string kDeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

/// Parameters of the authorization request the flow writes itself.
const char* const kOwnAuthorizationParams[] = {"response_type", "client_id", "redirect_uri", "scope", "state",
                                               "code_challenge", "code_challenge_method", "resource"};

std::string loopbackRedirect(const Settings& settings, bool needed)
{
    if (!needed)
    {
        if (settings.has("redirect_uri"))
            throw SettingError("redirect_uri", "'redirect_uri' is used only by grant authorization_code");
        return {};
    }
    const std::string uri = settings.string("redirect_uri");
    if (!absoluteUrl(uri, false))
        throw SettingError("redirect_uri", "'redirect_uri' must be an http(s) URL registered for the client, "
                                           "e.g. http://127.0.0.1:8080/callback");
    return uri;
}

} // namespace

UserGrantFlow::UserGrantFlow(Grant grant, const Settings& settings)
    : _grant(grant)
    , _requests(settings, assertionSigner(settings), false)
    , _refreshToken(_requests.server())
    , _profile(settings.string("profile", ""))
    , _redirectUri(loopbackRedirect(settings, grant == Grant::AuthorizationCode))
    , _authorizationParams(settings.stringMap("authorization_params"))
    , _loginTimeout(settings.integer("login_timeout", 300))
    , _minimumPollInterval(settings.integer("poll_interval", 5))
{
    if (_requests.clientId().empty())
        throw SettingError("client_id", "grant " + std::string(grant == Grant::AuthorizationCode ? "authorization_code"
                                                                                                 : "device_code") +
                                            " needs 'client_id'");
    for (const char* own : kOwnAuthorizationParams)
    {
        if (_authorizationParams.count(own))
            throw SettingError("authorization_params", std::string("'authorization_params' must not set '") + own +
                                                           "': the flow writes it");
    }
    if (grant != Grant::AuthorizationCode && !_authorizationParams.empty())
        throw SettingError("authorization_params", "'authorization_params' is used only by grant authorization_code");
    if (_loginTimeout < 10)
        throw SettingError("login_timeout", "'login_timeout' must be at least 10s");
    if (_minimumPollInterval < 1 || _minimumPollInterval > 60)
        throw SettingError("poll_interval", "'poll_interval' must be between 1s and 60s");
}

std::string UserGrantFlow::loginHint() const
{
    return "run: tokenbroker login " + _profile;
}

Outcome UserGrantFlow::finish(Host& host, const TokenAnswer& answer, const std::string& endpoint, bool fromLogin)
{
    Outcome kept = _refreshToken.finish(host, answer, loginHint());
    if (!kept.ok())
        return _requests.explained(kept, answer.errorCode, endpoint);
    Outcome published = _requests.published(host, answer, endpoint);
    const bool lifetimeUnknown = answer.body && !answer.body->has("expires_in") &&
                                 !unverifiedJwtExpiry(published.accessToken);
    if (fromLogin && published.ok() && lifetimeUnknown && answer.refreshToken.empty())
        published.expiresAt = 0;
    return published;
}

Outcome UserGrantFlow::refresh(Host& host)
{
    std::string refreshToken;
    if (auto failed = _refreshToken.current(host, refreshToken, loginHint()))
        return *failed;
    Endpoints endpoints;
    if (auto failed = _requests.endpoints(host, endpoints))
        return *failed;
    const TokenAnswer answer =
        _requests.post(host, endpoints.token, {{"grant_type", "refresh_token"}, {"refresh_token", refreshToken}}, false);
    return finish(host, answer, endpoints.token);
}

Outcome UserGrantFlow::login(Host& host)
{
    Endpoints endpoints;
    if (auto failed = _requests.endpoints(host, endpoints))
        return *failed;
    return _grant == Grant::AuthorizationCode ? loginInBrowser(host, endpoints) : loginWithDeviceCode(host, endpoints);
}

std::string UserGrantFlow::authorizationUrl(const std::string& endpoint, const std::string& state,
                                            const std::string& challenge) const
{
    FormFields query = {{"response_type", "code"},     {"client_id", _requests.clientId()},
                        {"redirect_uri", _redirectUri}, {"state", state},
                        {"code_challenge", challenge},  {"code_challenge_method", "S256"}};
    if (!_requests.scope().empty())
        query.emplace_back("scope", _requests.scope());
    if (!_requests.resource().empty())
        query.emplace_back("resource", _requests.resource());
    for (const auto& [name, value] : _authorizationParams)
        query.emplace_back(name, value);
    return endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") + formBody(query);
}

Outcome UserGrantFlow::loginInBrowser(Host& host, const Endpoints& endpoints)
{
    if (endpoints.authorization.empty())
        return Outcome::failure(TOKENBROKER_FATAL, "the server names no authorization endpoint; set "
                                                   "'authorization_endpoint'");
    const auto attempt = AuthorizationAttempt::create(host);
    std::string code;
    if (auto failed = awaitAuthorizationCode(host, _redirectUri,
                                             authorizationUrl(endpoints.authorization, attempt.state, attempt.challenge),
                                             attempt.state, _loginTimeout, code, _requests.issuer()))
        return *failed;
    const TokenAnswer answer = _requests.post(host, endpoints.token,
                                              {{"grant_type", "authorization_code"},
                                               {"code", code},
                                               {"redirect_uri", _redirectUri},
                                               {"code_verifier", attempt.verifier}},
                                              false);
    return finish(host, answer, endpoints.token, true);
}

Outcome UserGrantFlow::loginWithDeviceCode(Host& host, const Endpoints& endpoints)
{
    if (endpoints.deviceAuthorization.empty())
        return Outcome::failure(TOKENBROKER_FATAL, "the server names no device authorization endpoint; set "
                                                   "'device_authorization_endpoint'");
    // §3.1: the client authenticates here as at the token endpoint.
    Response response;
    try
    {
        response = _requests.send(host, endpoints.deviceAuthorization, {}, true);
    }
    catch (const TransportFailure& e)
    {
        return Outcome::failure(TOKENBROKER_RETRY, "device authorization request to " +
                                                       endpoints.deviceAuthorization + " failed: " + e.what());
    }
    std::optional<Outcome> failure;
    std::string errorCode;
    Poco::JSON::Object::Ptr answer = parseObjectAnswer(response, _requests.dialect(), failure, errorCode);
    if (!answer)
        return _requests.explained(*failure, errorCode, endpoints.deviceAuthorization);
    DeviceCode code;
    if (auto failed = presentDeviceCode(host, answer, response, _requests.dialect(), _minimumPollInterval,
                                        loginHint(), code))
        return *failed;
    return pollDeviceCode(
        host, code,
        [&] {
            return _requests.post(host, endpoints.token,
                                  {{"grant_type", kDeviceCodeGrant}, {"device_code", code.deviceCode}}, false, true);
        },
        [&](const TokenAnswer& answer) { return finish(host, answer, endpoints.token, true); }, loginHint());
}

Poco::JSON::Object::Ptr UserGrantFlow::describe() const
{
    Poco::JSON::Object::Ptr description = new Poco::JSON::Object;
    description->set("grant", _grant == Grant::AuthorizationCode ? "authorization_code" : "device_code");
    _requests.describe(*description);
    if (!_redirectUri.empty())
        description->set("redirect_uri", _redirectUri);
    description->set("login", _grant == Grant::AuthorizationCode ? "browser" : "device");
    return description;
}

} // namespace TokenBroker::OAuth2
