#include "DeviceAuthorization.h"

#include <algorithm>

namespace TokenBroker::Kit {

namespace {

void progress(Host& host, const std::string& message)
{
    Poco::JSON::Object event;
    event.set("kind", "progress");
    event.set("message", message);
    host.interact(event);
}

} // namespace

std::int64_t integerMember(const Poco::JSON::Object::Ptr& body, const std::string& name, std::int64_t fallback)
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

std::optional<Outcome> presentDeviceCode(Host& host, const Poco::JSON::Object::Ptr& answer, const Response& response,
                                         const AnswerDialect& dialect, std::int64_t minimumInterval,
                                         const std::string& loginHint, DeviceCode& code)
{
    code.deviceCode = answer->optValue<std::string>("device_code", "");
    // user_code is documented as an integer by Coze and shown as a string:
    // take both.
    const std::string userCode = answer->has("user_code") ? answer->get("user_code").toString() : std::string();
    const std::string verificationUri = stringMember(answer, "verification_uri");
    const std::string verificationUriComplete = stringMember(answer, "verification_uri_complete");
    // A code lives minutes and is polled every few seconds: a server's
    // numbers outside that (or not numbers) are held to it.
    const std::int64_t expiresIn = std::clamp<std::int64_t>(integerMember(answer, "expires_in", 300), 1, 3600);
    code.interval = std::clamp<std::int64_t>(integerMember(answer, "interval", 5), minimumInterval,
                                             std::max<std::int64_t>(minimumInterval, 60));
    if (code.deviceCode.empty() || userCode.empty() || verificationUri.empty())
        return dialect.failure(TOKENBROKER_FATAL, response,
                               "the device-code answer lacks device_code, user_code or verification_uri");
    code.deadline = host.nowSeconds() + expiresIn;

    Poco::JSON::Object event;
    event.set("kind", "device_code");
    event.set("verification_uri", verificationUri);
    if (!verificationUriComplete.empty())
        event.set("verification_uri_complete", verificationUriComplete);
    event.set("user_code", userCode);
    event.set("expires_in", static_cast<Poco::Int64>(expiresIn));
    if (!host.interact(event))
        return Outcome::failure(TOKENBROKER_NEEDS_LOGIN, "the device flow needs a person; " + loginHint);
    return std::nullopt;
}

Outcome pollDeviceCode(Host& host, DeviceCode code, const std::function<TokenAnswer()>& ask,
                       const std::function<Outcome(const TokenAnswer&)>& finish, const std::string& loginHint)
{
    for (;;)
    {
        if (!host.sleep(code.interval * 1000))
            return Outcome::failure(TOKENBROKER_FATAL, "login interrupted");
        if (host.nowSeconds() >= code.deadline)
            return Outcome::failure(TOKENBROKER_FATAL, "the code expired before it was approved; " + loginHint);
        TokenAnswer answer;
        try
        {
            answer = ask();
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
            return finish(answer);
        const std::int64_t left = code.deadline - host.nowSeconds();
        if (answer.errorCode == "authorization_pending")
            progress(host, "waiting for approval (" + std::to_string(left) + " s left)");
        else if (answer.errorCode == "slow_down")
        {
            code.interval += 5;
            progress(host, "the server asked to slow down; polling every " + std::to_string(code.interval) + " s");
        }
        else if (answer.errorCode == "access_denied")
            return Outcome::failure(TOKENBROKER_FATAL, "access was denied on the verification page");
        else if (answer.errorCode == "expired_token")
            return Outcome::failure(TOKENBROKER_FATAL, "the code expired before it was approved; " + loginHint);
        else if (answer.outcome.status == TOKENBROKER_RETRY)
            progress(host, "the server is unavailable (" + answer.outcome.message + "); retrying");
        else
            return answer.outcome;
    }
}

} // namespace TokenBroker::Kit
