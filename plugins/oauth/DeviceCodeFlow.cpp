#include "DeviceCodeFlow.h"

#include <sstream>

namespace TokenBroker::OAuth {

DeviceCodeFlow::DeviceCodeFlow(const Settings& settings)
    : UserFlow(settings)
    , _minimumInterval(settings.integer("poll_interval", 5))
{
    if (_minimumInterval < 1 || _minimumInterval > 60)
        throw SettingError("poll_interval", "'poll_interval' must be between 1s and 60s");
}

Outcome DeviceCodeFlow::login(Host& host)
{
    Poco::JSON::Object request;
    request.set("client_id", _clientId);
    std::ostringstream json;
    request.stringify(json);
    Response response = host.request("POST", oauthPath("/device/code"), Coze::jsonHeaders(""), json.str());
    std::optional<Outcome> failure;
    std::string errorCode;
    Poco::JSON::Object::Ptr answer = Coze::parseObjectAnswer(response, failure, errorCode);
    if (!answer)
        return *failure;
    DeviceCode code;
    if (auto failed = presentDeviceCode(host, answer, response, Coze::dialect(), _minimumInterval, loginHint(), code))
        return *failed;
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("grant_type", "urn:ietf:params:oauth:grant-type:device_code");
    body.set("client_id", _clientId);
    body.set("device_code", code.deviceCode);
    return pollDeviceCode(
        host, code, [&] { return postToken(host, body, ""); },
        [&](const TokenAnswer& tokens) { return finish(host, tokens); }, loginHint());
}

Poco::JSON::Object::Ptr DeviceCodeFlow::describe() const
{
    Poco::JSON::Object::Ptr description = new Poco::JSON::Object;
    description->set("client_id", _clientId);
    if (!_workspaceId.empty())
        description->set("workspace_id", _workspaceId);
    description->set("login", "device");
    return description;
}

} // namespace TokenBroker::OAuth
