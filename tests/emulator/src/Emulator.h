#pragma once

#include "AppRegistry.h"
#include "AuthCodeStore.h"
#include "Clock.h"
#include "DeviceFlow.h"
#include "FaultInjector.h"
#include "JwtVerifier.h"
#include "RequestLog.h"
#include "TokenIssuer.h"

#include <set>
#include <string>

namespace TokenBroker::Emulator {

/// The whole emulated server state that endpoints work on. Each member is
/// thread-safe on its own; POCO serves requests on several threads.
struct Emulator
{
    /// `baseUrl` is what clients use to reach us, e.g. https://127.0.0.1:PORT.
    Emulator(const AppRegistry& registry, std::set<std::string> jwtAudiences, std::string baseUrl);

    /// Forgets issued credentials, recorded requests, faults and clock offset;
    /// the configuration stays.
    void reset();

    const AppRegistry& apps;
    const std::string baseUrl;
    Clock clock;
    TokenIssuer tokens;
    AuthCodeStore codes;
    DeviceFlow devices;
    JwtVerifier jwt;
    FaultInjector faults;
    RequestLog log;
};

} // namespace TokenBroker::Emulator
