#include "Endpoints.h"

namespace TokenBroker::Emulator {

namespace {

HttpResponse userAnswer(const std::string& userId, const std::string& userName)
{
    Poco::JSON::Object::Ptr data = new Poco::JSON::Object;
    data->set("user_id", userId);
    data->set("user_name", userName);
    data->set("nick_name", userName);
    data->set("avatar_url", "https://example.invalid/avatar.png");
    Poco::JSON::Object body;
    body.set("code", 0);
    body.set("msg", "");
    body.set("data", data);
    return jsonResponse(200, body);
}

} // namespace

HttpResponse usersMeEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams&)
{
    const std::string token = bearerCredential(request);
    if (emulator.apps.isPat(token))
        return userAnswer("pat-owner", "pat-owner");
    if (auto grant = emulator.tokens.lookup(token))
        return userAnswer(grant->userName, grant->userName);
    return openApiError(401, 4100, "authentication is invalid: missing, unknown or expired access token");
}

HttpResponse notFound()
{
    return openApiError(404, 4200, "not found");
}

} // namespace TokenBroker::Emulator
