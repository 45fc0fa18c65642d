#include "CozeProtocol.h"


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

std::string logIdSuffix(const Response& response)
{
    const std::string id = response.header("x-tt-logid");
    return id.empty() ? std::string() : " (logid " + id + ")";
}

namespace {

class CozeDialect : public AnswerDialect
{
public:
    /// Steps 4 and 5 of the classification: the OAuth error envelope, with
    /// Coze's names beside the standard ones, and a non-zero OpenAPI code.
    std::optional<Outcome> classifyEnvelope(const Response& response, const Poco::JSON::Object::Ptr& body,
                                            std::string& errorCode) const override
    {
        errorCode = stringMember(body, "error_code");
        if (errorCode.empty())
            errorCode = stringMember(body, "error");
        if (!errorCode.empty())
        {
            std::string message = stringMember(body, "error_message");
            if (message.empty())
                message = stringMember(body, "error_description");
            const std::string text = "server answered " + errorCode + (message.empty() ? "" : ": " + message);
            if (errorCode == "internal_error")
                return failure(TOKENBROKER_RETRY, response, text);
            if (errorCode == "invalid_grant")
                return failure(TOKENBROKER_NEEDS_LOGIN, response, text);
            // authorization_pending and slow_down are FATAL only to callers
            // that do not poll; the device flow reads errorCode first.
            return failure(TOKENBROKER_FATAL, response, text);
        }
        Poco::Dynamic::Var code = body->get("code");
        if (code.isEmpty())
            return std::nullopt;
        Poco::Int64 number = 0;
        try
        {
            number = code.convert<Poco::Int64>();
        }
        catch (const Poco::Exception&)
        {
            return failure(TOKENBROKER_FATAL, response, "server answered a non-numeric code");
        }
        if (number == 0)
            return std::nullopt;
        const std::string text = "server answered code " + std::to_string(number) +
                                 (stringMember(body, "msg").empty() ? "" : ": " + stringMember(body, "msg"));
        return failure(number == 5000 ? TOKENBROKER_RETRY : TOKENBROKER_FATAL, response, text);
    }

    std::string messageSuffix(const Response& response) const override { return logIdSuffix(response); }
};

} // namespace

const AnswerDialect& dialect()
{
    static const CozeDialect coze;
    return coze;
}

Poco::JSON::Object::Ptr parseObjectAnswer(const Response& response, std::optional<Outcome>& failure,
                                          std::string& errorCode)
{
    return Kit::parseObjectAnswer(response, dialect(), failure, errorCode);
}

TokenAnswer parseTokenAnswer(const Response& response, std::int64_t nowSeconds)
{
    return Kit::parseTokenAnswer(response, nowSeconds, dialect());
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
