#include "TokenAnswer.h"

#include <Poco/JSON/Parser.h>

namespace TokenBroker::Kit {

std::optional<std::int64_t> retryAfter(const Response& response)
{
    const std::string value = response.header("retry-after");
    if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 9)
        return std::nullopt;
    return std::stoll(value);
}

bool retryableStatus(int status)
{
    return status >= 500 || status == 429 || status == 408;
}

std::string stringMember(const Poco::JSON::Object::Ptr& body, const char* name)
{
    Poco::Dynamic::Var value = body->get(name);
    return value.isString() ? value.extract<std::string>() : std::string();
}

std::string excerpt(const std::string& text)
{
    constexpr std::size_t kLength = 40;
    return text.size() <= kLength ? text : text.substr(0, kLength) + "...";
}

Outcome AnswerDialect::failure(tokenbroker_status status, const Response& response, const std::string& message) const
{
    return Outcome::failure(status, message + messageSuffix(response), retryAfter(response));
}

std::optional<Outcome> AnswerDialect::classifyEnvelope(const Response& response, const Poco::JSON::Object::Ptr& body,
                                                       std::string& errorCode) const
{
    errorCode = stringMember(body, "error");
    if (errorCode.empty())
        return std::nullopt;
    const std::string description = stringMember(body, "error_description");
    const std::string text = "server answered " + errorCode + (description.empty() ? "" : ": " + description);
    if (errorCode == "invalid_grant")
        return failure(TOKENBROKER_NEEDS_LOGIN, response, text);
    if (errorCode == "server_error" || errorCode == "temporarily_unavailable")
        return failure(TOKENBROKER_RETRY, response, text);
    return failure(TOKENBROKER_FATAL, response, text);
}

const AnswerDialect& standardDialect()
{
    static const AnswerDialect dialect;
    return dialect;
}

namespace {

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

} // namespace

std::int64_t absoluteExpiry(const Poco::Dynamic::Var& expiresIn, std::int64_t nowSeconds, std::string& problem,
                            bool digitsAccepted)
{
    if (expiresIn.isEmpty())
    {
        problem = "answer without expires_in";
        return 0;
    }
    const std::string shown = excerpt(expiresIn.isString() ? "\"" + expiresIn.toString() + "\"" : expiresIn.toString());
    const bool quotedDigits = digitsAccepted && expiresIn.isString() && !expiresIn.toString().empty() &&
                              expiresIn.toString().size() <= 18 &&
                              expiresIn.toString().find_first_not_of("0123456789") == std::string::npos;
    if (!expiresIn.isInteger() && !quotedDigits)
    {
        problem = "answer with expires_in " + shown + ", not a whole number of seconds";
        return 0;
    }
    std::int64_t value = 0;
    try
    {
        value = quotedDigits ? std::stoll(expiresIn.toString()) : expiresIn.convert<Poco::Int64>();
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

Poco::JSON::Object::Ptr parseObjectAnswer(const Response& response, const AnswerDialect& dialect,
                                          std::optional<Outcome>& failure, std::string& errorCode)
{
    if (response.status >= 300 && response.status < 400)
    {
        // The auth endpoints never redirect: this is a proxy or a captive
        // portal between us and the server, and it may go away.
        failure = dialect.failure(TOKENBROKER_RETRY, response,
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
        failure = dialect.failure(transient ? TOKENBROKER_RETRY : TOKENBROKER_FATAL, response, text);
        return nullptr;
    }
    if (auto classified = dialect.classifyEnvelope(response, body, errorCode))
    {
        // A 5xx is transient whatever its body says.
        if (retryableStatus(response.status))
            classified->status = TOKENBROKER_RETRY;
        failure = classified;
        return nullptr;
    }
    if (retryableStatus(response.status))
    {
        failure = dialect.failure(TOKENBROKER_RETRY, response, "HTTP " + std::to_string(response.status));
        return nullptr;
    }
    if (response.status < 200 || response.status >= 300)
    {
        failure = dialect.failure(TOKENBROKER_FATAL, response, "HTTP " + std::to_string(response.status));
        return nullptr;
    }
    return body;
}

TokenAnswer parseTokenAnswer(const Response& response, std::int64_t nowSeconds, const AnswerDialect& dialect)
{
    TokenAnswer answer;
    std::optional<Outcome> failed;
    Poco::JSON::Object::Ptr body = parseObjectAnswer(response, dialect, failed, answer.errorCode);
    if (!body)
    {
        answer.outcome = *failed;
        return answer;
    }
    answer.body = body;
    // Taken before the answer is judged: a server that rotates refresh
    // tokens has already invalidated the old one, so even an answer whose
    // access token is unusable carries the only refresh token left.
    answer.refreshToken = stringMember(body, "refresh_token");
    const std::string token = stringMember(body, "access_token");
    if (token.empty())
    {
        answer.outcome = dialect.failure(TOKENBROKER_RETRY, response, "answer without an access_token");
        return answer;
    }
    const Poco::Dynamic::Var expires = body->get("expires_in");
    if (expires.isEmpty())
    {
        if (auto expiresAt = dialect.expiryWithoutExpiresIn(token, nowSeconds))
        {
            answer.outcome = Outcome::token(token, *expiresAt);
            return answer;
        }
    }
    std::string problem;
    const std::int64_t expiresAt = absoluteExpiry(expires, nowSeconds, problem, dialect.quotedExpiryAccepted());
    if (!problem.empty())
    {
        answer.outcome = dialect.failure(TOKENBROKER_RETRY, response, problem);
        return answer;
    }
    answer.outcome = Outcome::token(token, expiresAt);
    return answer;
}

} // namespace TokenBroker::Kit
