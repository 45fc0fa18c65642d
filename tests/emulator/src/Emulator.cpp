#include "Emulator.h"

namespace TokenBroker::Emulator {

Emulator::Emulator(const AppRegistry& registry, std::set<std::string> jwtAudiences, std::string url)
    : apps(registry)
    , baseUrl(std::move(url))
    , tokens(clock, registry.accessTtl(), registry.refreshTtl(), registry.refreshReuseGrace())
    , codes(clock, registry.codeTtl())
    , devices(clock, registry.deviceCodeTtl(), registry.deviceInterval())
    , jwt(registry, std::move(jwtAudiences), clock)
{
}

void Emulator::reset()
{
    tokens.reset();
    codes.reset();
    devices.reset();
    jwt.reset();
    faults.clear();
    log.clear();
    clock.reset();
}

} // namespace TokenBroker::Emulator
