#include "AuthorizationCodeFlow.h"

#include "FormEncoding.h"

#include <Poco/URI.h>

namespace TokenBroker::OAuth {

AuthorizationCodeFlow::AuthorizationCodeFlow(Kind kind, const Settings& settings)
    : UserFlow(settings)
    , _kind(kind)
    , _wwwBaseUrl(settings.string("www_base_url"))
    , _redirectUri(settings.string("redirect_uri"))
    , _clientSecret(kind == Kind::Web ? settings.string("client_secret") : std::string())
    , _challengeMethod(settings.string("code_challenge_method", "S256"))
    , _loginTimeout(settings.integer("login_timeout", 300))
{
    Poco::URI uri;
    try
    {
        uri = Poco::URI(_redirectUri);
    }
    catch (const Poco::Exception&)
    {
    }
    if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty())
        throw SettingError("redirect_uri", "'redirect_uri' must be an http(s) URL registered for the app, "
                                           "e.g. http://127.0.0.1:8080/callback");
    if (kind == Kind::Pkce && _challengeMethod != "S256" && _challengeMethod != "plain")
        throw SettingError("code_challenge_method", "'code_challenge_method' must be S256 or plain");
    if (_loginTimeout < 10)
        throw SettingError("login_timeout", "'login_timeout' must be at least 10s");
}

std::string AuthorizationCodeFlow::authorizeUrl(const std::string& state, const std::string& codeChallenge) const
{
    std::string url = _wwwBaseUrl + oauthPath("/authorize") + "?response_type=code&client_id=" + formEncode(_clientId) +
                      "&redirect_uri=" + formEncode(_redirectUri) + "&state=" + formEncode(state);
    if (_kind == Kind::Pkce)
        url += "&code_challenge=" + formEncode(codeChallenge) + "&code_challenge_method=" + _challengeMethod;
    return url;
}

Outcome AuthorizationCodeFlow::login(Host& host)
{
    const auto attempt = AuthorizationAttempt::create(host, _challengeMethod == "plain");
    const std::string challenge = _kind == Kind::Pkce ? attempt.challenge : std::string();
    std::string code;
    if (auto failed = awaitAuthorizationCode(host, _redirectUri, authorizeUrl(attempt.state, challenge), attempt.state,
                                             _loginTimeout, code))
        return *failed;

    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("grant_type", "authorization_code");
    body.set("client_id", _clientId);
    body.set("redirect_uri", _redirectUri);
    body.set("code", code);
    if (_kind == Kind::Pkce)
        body.set("code_verifier", attempt.verifier);
    return finish(host, postToken(host, body, _clientSecret));
}

Poco::JSON::Object::Ptr AuthorizationCodeFlow::describe() const
{
    Poco::JSON::Object::Ptr description = new Poco::JSON::Object;
    description->set("client_id", _clientId);
    description->set("redirect_uri", _redirectUri);
    if (!_workspaceId.empty())
        description->set("workspace_id", _workspaceId);
    if (_kind == Kind::Pkce)
        description->set("code_challenge_method", _challengeMethod);
    description->set("login", "browser");
    return description;
}

} // namespace TokenBroker::OAuth
