#include "DeviceCodeFlow.h"

#include <algorithm>
#include <sstream>

namespace TokenBroker::OAuth {

DeviceCodeFlow::DeviceCodeFlow(const Settings& settings)
    : UserFlow(settings)
    , _minimumInterval(settings.integer("poll_interval", 5))
{
    if (_minimumInterval < 1 || _minimumInterval > 60)
        throw SettingError("poll_interval", "'poll_interval' must be between 1s and 60s");
}

void DeviceCodeFlow::progress(Host& host, const std::string& message) const
{
    Poco::JSON::Object event;
    event.set("kind", "progress");
    event.set("message", message);
    host.interact(event);
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
    Poco::JSON::Object::Ptr body = Coze::parseObjectAnswer(response, failure, errorCode);
    if (!body)
        return *failure;
    const std::string deviceCode = body->optValue<std::string>("device_code", "");
    // user_code is documented as an integer and shown as a string: take both.
    const std::string userCode = body->has("user_code") ? body->get("user_code").toString() : std::string();
    const std::string verificationUri = body->optValue<std::string>("verification_uri", "");
    // A code lives minutes and is polled every few seconds: a server's
    // numbers outside that (or not numbers) are held to it.
    const std::int64_t expiresIn = std::clamp<std::int64_t>(numberOr(body, "expires_in", 300), 1, 3600);
    const std::int64_t interval = std::clamp<std::int64_t>(numberOr(body, "interval", 5), _minimumInterval,
                                                            std::max<std::int64_t>(_minimumInterval, 60));
    if (deviceCode.empty() || userCode.empty() || verificationUri.empty())
        return Outcome::failure(TOKENBROKER_FATAL, "the device-code answer lacks device_code, user_code or "
                                                   "verification_uri" + Coze::logIdSuffix(response));

    Poco::JSON::Object event;
    event.set("kind", "device_code");
    event.set("verification_uri", verificationUri);
    event.set("user_code", userCode);
    event.set("expires_in", static_cast<Poco::Int64>(expiresIn));
    if (!host.interact(event))
        return Outcome::failure(TOKENBROKER_NEEDS_LOGIN, "the device flow needs a person; " + loginHint());
    return poll(host, deviceCode, interval, host.nowSeconds() + expiresIn);
}

std::int64_t DeviceCodeFlow::numberOr(const Poco::JSON::Object::Ptr& body, const std::string& name, std::int64_t fallback)
{
    const Poco::Dynamic::Var value = body->get(name);
    try
    {
        return value.isInteger() ? value.convert<Poco::Int64>() : fallback;
    }
    catch (const Poco::Exception&)
    {
        return fallback;
    }
}

Outcome DeviceCodeFlow::poll(Host& host, const std::string& deviceCode, std::int64_t interval, std::int64_t deadline)
{
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("grant_type", "urn:ietf:params:oauth:grant-type:device_code");
    body.set("client_id", _clientId);
    body.set("device_code", deviceCode);
    for (;;)
    {
        if (!host.sleep(interval * 1000))
            return Outcome::failure(TOKENBROKER_FATAL, "login interrupted");
        if (host.nowSeconds() >= deadline)
            return Outcome::failure(TOKENBROKER_FATAL, "the code expired before it was approved; " + loginHint());
        Coze::TokenAnswer answer;
        try
        {
            answer = postToken(host, body, "");
        }
        catch (const TransportFailure& e)
        {
            progress(host, std::string("cannot reach the server (") + e.what() + "); retrying");
            continue;
        }
        // An answer with a refresh token ends the polling even when its
        // access token is unusable: the device code is spent, and finish()
        // keeps the refresh token for the next renewal.
        if (answer.outcome.ok() || !answer.refreshToken.empty())
            return finish(host, answer);
        const std::int64_t left = deadline - host.nowSeconds();
        if (answer.errorCode == "authorization_pending")
            progress(host, "waiting for approval (" + std::to_string(left) + " s left)");
        else if (answer.errorCode == "slow_down")
        {
            interval += 5;
            progress(host, "the server asked to slow down; polling every " + std::to_string(interval) + " s");
        }
        else if (answer.errorCode == "access_denied")
            return Outcome::failure(TOKENBROKER_FATAL, "access was denied on the verification page");
        else if (answer.errorCode == "expired_token")
            return Outcome::failure(TOKENBROKER_FATAL, "the code expired before it was approved; " + loginHint());
        else if (answer.outcome.status == TOKENBROKER_RETRY)
            progress(host, "the server is unavailable (" + answer.outcome.message + "); retrying");
        else
            return answer.outcome;
    }
}

Poco::JSON::Object::Ptr DeviceCodeFlow::describe() const
{
    Poco::JSON::Object::Ptr description = new Poco::JSON::Object;
    description->set("client_id", _clientId);
    if (!_workspaceId.empty())
        description->set("workspace_id", _workspaceId);
    return description;
}

} // namespace TokenBroker::OAuth
