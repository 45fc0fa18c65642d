#include "Endpoints.h"

#include <Poco/JSON/Parser.h>

namespace TokenBroker::Emulator {

namespace {

HttpResponse ok(Poco::JSON::Object::Ptr data = nullptr)
{
    Poco::JSON::Object body;
    body.set("code", 0);
    body.set("msg", "");
    if (data)
        body.set("data", data);
    return jsonResponse(200, body);
}

HttpResponse badRequest(const std::string& msg)
{
    return openApiError(400, 4000, msg);
}

/// Control bodies are JSON objects; the media type is not checked, so curl
/// users need not remember the header.
Poco::JSON::Object::Ptr controlBody(const HttpRequest& request)
{
    try
    {
        Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(request.body);
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr))
            return parsed.extract<Poco::JSON::Object::Ptr>();
    }
    catch (const Poco::Exception&)
    {
    }
    return nullptr;
}

} // namespace

HttpResponse approveDeviceEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams&)
{
    std::string userCode;
    bool deny = false;
    if (request.method == "GET")
    {
        userCode = request.queryParam("user_code").value_or("");
        deny = request.queryParam("deny").value_or("false") == "true";
    }
    else if (auto body = controlBody(request))
    {
        userCode = body->optValue<std::string>("user_code", "");
        deny = body->optValue<bool>("deny", false);
    }
    if (userCode.empty())
        return badRequest("user_code is required");
    switch (emulator.devices.decide(userCode, deny))
    {
    case DeviceFlow::Decision::Recorded:
        return ok();
    case DeviceFlow::Decision::Expired:
        return badRequest("the device code has expired");
    case DeviceFlow::Decision::UnknownUserCode:
        break;
    }
    return openApiError(404, 4200, "unknown user_code");
}

HttpResponse faultsEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams&)
{
    try
    {
        emulator.faults.add(FaultInjector::parse(request.body));
    }
    catch (const std::invalid_argument& e)
    {
        return badRequest(e.what());
    }
    return ok();
}

HttpResponse requestsEndpoint(Emulator& emulator, const HttpRequest&, const PathParams&)
{
    std::ostringstream out;
    emulator.log.toJson()->stringify(out);
    HttpResponse response;
    response.body = out.str();
    return response;
}

HttpResponse resetEndpoint(Emulator& emulator, const HttpRequest&, const PathParams&)
{
    emulator.reset();
    return ok();
}

HttpResponse revokeEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams&)
{
    auto body = controlBody(request);
    if (!body || !body->has("refresh_token"))
        return badRequest("refresh_token is required");
    if (!emulator.tokens.revoke(body->getValue<std::string>("refresh_token")))
        return openApiError(404, 4200, "unknown refresh_token");
    return ok();
}

HttpResponse clockEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams&)
{
    auto body = controlBody(request);
    if (!body || !body->has("advance_seconds") || !isJsonInteger(body->get("advance_seconds")))
        return badRequest("advance_seconds (integer) is required");
    emulator.clock.advance(body->getValue<std::int64_t>("advance_seconds"));
    Poco::JSON::Object::Ptr data = new Poco::JSON::Object;
    data->set("now", emulator.clock.nowSeconds());
    return ok(data);
}

} // namespace TokenBroker::Emulator
