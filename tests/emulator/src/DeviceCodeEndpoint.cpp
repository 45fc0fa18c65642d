#include "ClientAuth.h"
#include "Endpoints.h"

namespace TokenBroker::Emulator {

HttpResponse deviceCodeEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams&)
{
    Poco::JSON::Object::Ptr body = parseJsonObjectBody(request);
    const std::string clientId = requireString(*body, "client_id");
    requireApp(emulator.apps, clientId, {AppType::Device});
    DeviceAuthorization authorization = emulator.devices.start(clientId);

    Poco::JSON::Object answer;
    answer.set("device_code", authorization.deviceCode);
    answer.set("user_code", authorization.userCode);
    // The control hook also answers GET, so the URL that SDKs print
    // (verification_uri?user_code=...) approves when opened in a browser.
    answer.set("verification_uri", emulator.baseUrl + "/_emulator/device/approve");
    answer.set("expires_in", authorization.expiresIn);
    answer.set("interval", authorization.interval);
    return jsonResponse(200, answer);
}

} // namespace TokenBroker::Emulator
