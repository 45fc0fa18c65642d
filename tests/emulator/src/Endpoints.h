#pragma once

#include "Emulator.h"
#include "HttpExchange.h"

#include <map>
#include <string>

namespace TokenBroker::Emulator {

/// Values of `{name}` segments of the matched route.
using PathParams = std::map<std::string, std::string>;

/// `POST …/oauth2/token` and the account / enterprise JWT variants.
HttpResponse tokenEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params);

/// `POST …/oauth2/device/code` and the workspace variant.
HttpResponse deviceCodeEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params);

/// `GET …/oauth2/authorize` and the workspace variant: consents at once.
HttpResponse authorizeEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params);

/// `GET /v1/users/me`.
HttpResponse usersMeEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params);

/// Test hooks under `/_emulator/`.
HttpResponse approveDeviceEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params);
HttpResponse faultsEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params);
HttpResponse requestsEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params);
HttpResponse resetEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params);
HttpResponse revokeEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params);
HttpResponse clockEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params);

/// Unknown path or method: `404 {"code":4200,"msg":"not found"}`.
HttpResponse notFound();

} // namespace TokenBroker::Emulator
