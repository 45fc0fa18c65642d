#include "ServiceProcess.h"

#include <atomic>

namespace TokenBroker {

namespace {

std::atomic<bool> g_service{false};

} // namespace

bool runningAsService()
{
    return g_service.load();
}

void setRunningAsService(bool service)
{
    g_service.store(service);
}

} // namespace TokenBroker
