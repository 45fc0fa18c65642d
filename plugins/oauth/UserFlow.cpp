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

Outcome UserFlow::finish(Host& host, const Coze::TokenAnswer& answer)
{
    return _refreshToken.finish(host, answer, loginHint());
}

Outcome UserFlow::refresh(Host& host)
{
    std::string refreshToken;
    if (auto failed = _refreshToken.current(host, refreshToken, loginHint()))
        return *failed;
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("grant_type", "refresh_token");
    body.set("client_id", _clientId);
    body.set("refresh_token", refreshToken);
    return finish(host, postToken(host, body, refreshCredential()));
}

} // namespace TokenBroker::OAuth
