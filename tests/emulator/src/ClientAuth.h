#pragma once

#include "AppRegistry.h"
#include "HttpExchange.h"

#include <initializer_list>
#include <string>

namespace TokenBroker::Emulator {

/// The registered app `clientId` if it is one of `allowed` types. Unknown
/// clients are `invalid_client`; a known app used for a flow its type does
/// not allow is `access_deny` ("invalid app type", spec §4).
const App& requireApp(const AppRegistry& apps, const std::string& clientId, std::initializer_list<AppType> allowed);

/// Confidential clients prove themselves with `Authorization: Bearer <secret>`
/// on code exchange and refresh; anything else is `invalid_client`.
void requireClientSecret(const App& app, const HttpRequest& request);

} // namespace TokenBroker::Emulator
