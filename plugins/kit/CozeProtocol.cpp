#include "CozeProtocol.h"

#include <Poco/JSON/Parser.h>

#include <set>

#ifndef TOKENBROKER_VERSION
#define TOKENBROKER_VERSION "0"
#endif

namespace TokenBroker::Kit::Coze {

std::map<std::string, std::string> jsonHeaders(const std::string& bearer)
{
    std::map<std::string, std::string> headers = {
        {"Content-Type", "application/json"},
        {"Accept", "application/json"},
        {"User-Agent", std::string("tokenbroker/") + TOKENBROKER_VERSION + " cpp"},
        {"X-Coze-Client-User-Agent",
         std::string(R"({"version":")") + TOKENBROKER_VERSION + R"(","lang":"cpp","lang_version":"17","os_name":")" +
#ifdef _WIN32
             "windows"
#else
             "linux"
#endif
             + R"("})"},
    };
    if (!bearer.empty())
        headers["Authorization"] = "Bearer " + bearer;
    return headers;
}

std::optional<std::int64_t> retryAfter(const Response& response)
{
    const std::string value = response.header("retry-after");
    if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 9)
        return std::nullopt;
    return std::stoll(value);
}

std::string logIdSuffix(const Response& response)
{
    const std::string id = response.header("x-tt-logid");
    return id.empty() ? std::string() : " (logid " + id + ")";
}

namespace {

bool retryableStatus(int status)
{
    return status >= 500 || status == 429 || status == 408;
}

Outcome failure(tokenbroker_status status, const Response& response, const std::string& message)
{
    return Outcome::failure(status, message + logIdSuffix(response), retryAfter(response));
}

Poco::JSON::Object::Ptr parseBody(const Response& response)
{
    try
    {
        auto value = Poco::JSON::Parser().parse(response.body);
        if (value.type() == typeid(Poco::JSON::Object::Ptr))
            return value.extract<Poco::JSON::Object::Ptr>();
    }
    catch (const Poco::Exception&)
    {
    }
    return nullptr;
}

std::string member(const Poco::JSON::Object::Ptr& body, const char* name)
{
    Poco::Dynamic::Var value = body->get(name);
    return value.isString() ? value.extract<std::string>() : std::string();
}

/// Steps 4 and 5 of the classification: the OAuth error envelope and a
/// non-zero OpenAPI code. Nothing when the body carries neither.
std::optional<Outcome> classifyEnvelope(const Response& response, const Poco::JSON::Object::Ptr& body,
                                        std::string& errorCode)
{
    errorCode = member(body, "error_code");
    if (errorCode.empty())
        errorCode = member(body, "error");
    if (!errorCode.empty())
    {
        std::string message = member(body, "error_message");
        if (message.empty())
            message = member(body, "error_description");
        const std::string text = "server answered " + errorCode + (message.empty() ? "" : ": " + message);
        if (errorCode == "internal_error")
            return failure(TOKENBROKER_RETRY, response, text);
        if (errorCode == "invalid_grant")
            return failure(TOKENBROKER_NEEDS_LOGIN, response, text);
        // authorization_pending and slow_down are FATAL only to callers that
        // do not poll; the device flow reads errorCode first.
        return failure(TOKENBROKER_FATAL, response, text);
    }
    Poco::Dynamic::Var code = body->get("code");
    if (!code.isEmpty())
    {
        Poco::Int64 number = 0;
        try
        {
            number = code.convert<Poco::Int64>();
        }
        catch (const Poco::Exception&)
        {
            return failure(TOKENBROKER_FATAL, response, "server answered a non-numeric code");
        }
        if (number != 0)
        {
            const std::string text = "server answered code " + std::to_string(number) +
                                     (member(body, "msg").empty() ? "" : ": " + member(body, "msg"));
            return failure(number == 5000 ? TOKENBROKER_RETRY : TOKENBROKER_FATAL, response, text);
        }
    }
    return std::nullopt;
}

} // namespace

std::string excerpt(const std::string& text)
{
    constexpr std::size_t kLength = 40;
    return text.size() <= kLength ? text : text.substr(0, kLength) + "...";
}

std::int64_t absoluteExpiry(const Poco::Dynamic::Var& expiresIn, std::int64_t nowSeconds, std::string& problem)
{
    if (expiresIn.isEmpty())
    {
        problem = "answer without expires_in";
        return 0;
    }
    const std::string shown = excerpt(expiresIn.isString() ? "\"" + expiresIn.toString() + "\"" : expiresIn.toString());
    if (!expiresIn.isInteger())
    {
        problem = "answer with expires_in " + shown + ", not a whole number of seconds";
        return 0;
    }
    std::int64_t value = 0;
    try
    {
        value = expiresIn.convert<Poco::Int64>();
    }
    catch (const Poco::Exception&)
    {
        problem = "answer with expires_in " + shown + ", beyond any clock";
        return 0;
    }
    if (value <= 0)
    {
        problem = "answer with expires_in " + shown + ", not a positive number";
        return 0;
    }
    // Below 1e9 it is a lifetime in seconds (OAuth), above a time (Coze).
    const std::int64_t expiresAt = value < kAbsoluteExpiryFrom ? nowSeconds + value : value;
    if (expiresAt <= nowSeconds)
        problem = "answer with expires_in " + shown + ", a time already past (this machine's clock says " +
                  std::to_string(nowSeconds) + ")";
    else if (expiresAt - nowSeconds > kMaxLifetimeSeconds)
        problem = "answer with expires_in " + shown + ", more than ten years ahead";
    return problem.empty() ? expiresAt : 0;
}

Poco::JSON::Object::Ptr parseObjectAnswer(const Response& response, std::optional<Outcome>& failure,
                                          std::string& errorCode)
{
    if (response.status >= 300 && response.status < 400)
    {
        // The auth endpoints never redirect: this is a proxy or a captive
        // portal between us and the server, and it may go away.
        failure = Coze::failure(TOKENBROKER_RETRY, response,
                                "HTTP " + std::to_string(response.status) + " redirect" +
                                    (response.header("location").empty() ? "" : " to " + excerpt(response.header("location"))) +
                                    " instead of an answer (a proxy?)");
        return nullptr;
    }
    Poco::JSON::Object::Ptr body = parseBody(response);
    if (!body)
    {
        // A 2xx that is not JSON (an HTML proxy page, a truncated answer)
        // is something on the way, not the server's verdict: retried.
        const std::string text = "HTTP " + std::to_string(response.status) + " with a body that is not a JSON object";
        const bool transient = retryableStatus(response.status) || (response.status >= 200 && response.status < 300);
        failure = Coze::failure(transient ? TOKENBROKER_RETRY : TOKENBROKER_FATAL, response, text);
        return nullptr;
    }
    if (auto classified = classifyEnvelope(response, body, errorCode))
    {
        // A 5xx is transient whatever its body says.
        if (retryableStatus(response.status))
            classified->status = TOKENBROKER_RETRY;
        failure = classified;
        return nullptr;
    }
    if (retryableStatus(response.status))
    {
        failure = Coze::failure(TOKENBROKER_RETRY, response, "HTTP " + std::to_string(response.status));
        return nullptr;
    }
    if (response.status < 200 || response.status >= 300)
    {
        failure = Coze::failure(TOKENBROKER_FATAL, response, "HTTP " + std::to_string(response.status));
        return nullptr;
    }
    return body;
}

TokenAnswer parseTokenAnswer(const Response& response, std::int64_t nowSeconds)
{
    TokenAnswer answer;
    std::optional<Outcome> failed;
    Poco::JSON::Object::Ptr body = parseObjectAnswer(response, failed, answer.errorCode);
    if (!body)
    {
        answer.outcome = *failed;
        return answer;
    }
    // Taken before the answer is judged: a server that rotates refresh
    // tokens has already invalidated the old one, so even an answer whose
    // access token is unusable carries the only refresh token left.
    answer.refreshToken = member(body, "refresh_token");
    Poco::Dynamic::Var token = body->get("access_token");
    Poco::Dynamic::Var expires = body->get("expires_in");
    if (!token.isString() || token.extract<std::string>().empty())
    {
        answer.outcome = failure(TOKENBROKER_RETRY, response, "answer without an access_token");
        return answer;
    }
    std::string problem;
    const std::int64_t expiresAt = absoluteExpiry(expires, nowSeconds, problem);
    if (!problem.empty())
    {
        answer.outcome = failure(TOKENBROKER_RETRY, response, problem);
        return answer;
    }
    answer.outcome = Outcome::token(token.extract<std::string>(), expiresAt);
    return answer;
}

Outcome checkOpenApiAnswer(const Response& response)
{
    // The same classification as the auth endpoints' answers: a redirect or
    // a 2xx page that is not JSON comes from something on the way and is
    // retried, the envelope's code is the verdict.
    std::optional<Outcome> failed;
    std::string errorCode;
    if (parseObjectAnswer(response, failed, errorCode))
        return Outcome::token("", 0);
    // From the API (not the auth endpoints), these name the token itself.
    if (response.status == 401 || response.status == 403)
        failed->message += " (the token was rejected)";
    return *failed;
}

} // namespace TokenBroker::Kit::Coze
