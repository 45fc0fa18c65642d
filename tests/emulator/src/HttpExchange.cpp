#include "HttpExchange.h"

#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <sstream>

namespace TokenBroker::Emulator {

std::optional<std::string> HttpRequest::queryParam(const std::string& name) const
{
    for (const auto& [key, value] : query)
        if (key == name)
            return value;
    return std::nullopt;
}

OAuthError::OAuthError(std::string code, const std::string& message)
    : std::runtime_error(message)
    , _code(std::move(code))
{
}

int OAuthError::status() const
{
    return _code == "invalid_client" ? 401 : 400;
}

HttpResponse jsonResponse(int status, const Poco::JSON::Object& object)
{
    std::ostringstream out;
    object.stringify(out);
    HttpResponse response;
    response.status = status;
    response.body = out.str();
    return response;
}

HttpResponse oauthErrorResponse(const OAuthError& error)
{
    Poco::JSON::Object body;
    body.set("error", error.code());
    body.set("error_code", error.code());
    body.set("error_message", std::string(error.what()));
    body.set("error_description", std::string(error.what()));
    return jsonResponse(error.status(), body);
}

HttpResponse openApiError(int status, int code, const std::string& msg)
{
    Poco::JSON::Object body;
    body.set("code", code);
    body.set("msg", msg);
    return jsonResponse(status, body);
}

Poco::JSON::Object::Ptr parseJsonObjectBody(const HttpRequest& request)
{
    std::string mediaType = request.headers.get("Content-Type", "");
    mediaType = Poco::toLower(Poco::trim(mediaType.substr(0, mediaType.find(';'))));
    if (mediaType != "application/json")
        throw OAuthError("invalid_request", "invalid request: content type must be application/json");
    try
    {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(request.body);
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr))
            return parsed.extract<Poco::JSON::Object::Ptr>();
    }
    catch (const Poco::Exception&)
    {
    }
    throw OAuthError("invalid_request", "invalid request: body must be a JSON object");
}

std::optional<std::string> optionalString(const Poco::JSON::Object& body, const std::string& name)
{
    if (!body.has(name) || body.isNull(name))
        return std::nullopt;
    Poco::Dynamic::Var value = body.get(name);
    if (!value.isString())
        throw OAuthError("invalid_request", "invalid request: " + name);
    return value.convert<std::string>();
}

std::string requireString(const Poco::JSON::Object& body, const std::string& name)
{
    auto value = optionalString(body, name);
    if (!value || value->empty())
        throw OAuthError("invalid_request", "invalid request: " + name);
    return *value;
}

bool isJsonInteger(const Poco::Dynamic::Var& value)
{
    return value.isInteger() && !value.isBoolean();
}

std::string bearerCredential(const HttpRequest& request)
{
    std::string value = Poco::trim(request.headers.get("Authorization", ""));
    const std::string scheme = "bearer";
    if (Poco::icompare(value.substr(0, scheme.size()), scheme) != 0
        || (value.size() > scheme.size() && value[scheme.size()] != ' '))
        return {};
    return Poco::trim(value.substr(scheme.size()));
}

} // namespace TokenBroker::Emulator
