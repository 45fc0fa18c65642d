#include "UserFlow.h"

#include <sstream>

namespace TokenBroker::OAuth {

UserFlow::UserFlow(const Settings& settings)
    : _profile(settings.string("profile", ""))
    , _clientId(settings.string("client_id"))
    , _workspaceId(settings.string("workspace_id", ""))
{
    if (_workspaceId.find_first_of("/?#% ") != std::string::npos)
        throw SettingError("workspace_id", "'workspace_id' must be a plain identifier");
}

std::string UserFlow::oauthPath(const std::string& suffix) const
{
    return "/api/permission/oauth2" + (_workspaceId.empty() ? std::string() : "/workspace_id/" + _workspaceId) + suffix;
}

std::string UserFlow::loginHint() const
{
    return "run: tokenbroker login " + _profile;
}

Coze::TokenAnswer UserFlow::postToken(Host& host, const Poco::JSON::Object& body, const std::string& bearer) const
{
    std::ostringstream json;
    body.stringify(json);
    Response response = host.request("POST", "/api/permission/oauth2/token", Coze::jsonHeaders(bearer), json.str());
    return Coze::parseTokenAnswer(response, host.nowSeconds());
}

bool UserFlow::storeRefreshToken(Host& host, const std::string& refreshToken, std::string& error)
{
    try
    {
        Poco::JSON::Object::Ptr state = host.loadState();
        state->set("refresh_token", refreshToken);
        state->set("stored_at", static_cast<Poco::Int64>(host.nowSeconds()));
        host.saveState(state);
        return true;
    }
    catch (const std::exception& e)
    {
        error = e.what();
        return false;
    }
}

Outcome UserFlow::finish(Host& host, const Coze::TokenAnswer& answer)
{
    // The refresh token first, whatever the rest of the answer is worth: the
    // server has rotated the old one out, so dropping this one with a
    // malformed answer would leave nothing but `tokenbroker login`.
    if (!answer.refreshToken.empty())
    {
        std::string error;
        if (!storeRefreshToken(host, answer.refreshToken, error))
        {
            _unstoredRefreshToken = answer.refreshToken;
            return Outcome::failure(TOKENBROKER_RETRY, "cannot store the rotated refresh token (" + error +
                                                           "); keeping it in memory and retrying");
        }
        _unstoredRefreshToken.reset();
    }
    if (!answer.outcome.ok())
    {
        Outcome failed = answer.outcome;
        if (failed.status == TOKENBROKER_NEEDS_LOGIN)
            failed.message += "; the refresh token is no longer valid, " + loginHint();
        else if (!answer.refreshToken.empty())
            failed.message += "; its new refresh token is stored for the next try";
        return failed;
    }
    return answer.outcome;
}

Outcome UserFlow::refresh(Host& host)
{
    std::string refreshToken;
    if (_unstoredRefreshToken)
    {
        std::string error;
        if (!storeRefreshToken(host, *_unstoredRefreshToken, error))
            return Outcome::failure(TOKENBROKER_RETRY, "still cannot store the rotated refresh token: " + error);
        refreshToken = *_unstoredRefreshToken;
        _unstoredRefreshToken.reset();
    }
    else
    {
        // Read on every refresh, never cached: another process sharing the
        // state directory may have rotated it (the host serialises us).
        refreshToken = host.loadState()->optValue<std::string>("refresh_token", "");
    }
    if (refreshToken.empty())
        return Outcome::failure(TOKENBROKER_NEEDS_LOGIN, "no refresh token stored yet; " + loginHint());
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("grant_type", "refresh_token");
    body.set("client_id", _clientId);
    body.set("refresh_token", refreshToken);
    return finish(host, postToken(host, body, refreshCredential()));
}

} // namespace TokenBroker::OAuth
