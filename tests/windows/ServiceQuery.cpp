#include "ServiceQuery.h"

#include "Win32Text_win32.h"

#include "DefaultPaths.h"

#include <stdexcept>
#include <vector>

namespace TokenBroker::Test {

ServiceHandle openTokenBrokerService(DWORD access)
{
    ServiceHandle manager(::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (!manager)
        throw std::runtime_error("OpenSCManagerW failed: Windows error " + std::to_string(::GetLastError()));
    return ServiceHandle(::OpenServiceW(manager.get(), L"TokenBroker", access));
}

SERVICE_STATUS_PROCESS queryServiceStatus()
{
    SERVICE_STATUS_PROCESS status{};
    ServiceHandle service = openTokenBrokerService(SERVICE_QUERY_STATUS);
    DWORD needed = 0;
    if (service && !::QueryServiceStatusEx(service.get(), SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&status),
                                           sizeof status, &needed))
        throw std::runtime_error("QueryServiceStatusEx failed: Windows error " + std::to_string(::GetLastError()));
    return status;
}

ServiceConfig queryServiceConfig()
{
    ServiceHandle service = openTokenBrokerService(SERVICE_QUERY_CONFIG);
    if (!service)
        throw std::runtime_error("the TokenBroker service is not registered");
    DWORD needed = 0;
    ::QueryServiceConfigW(service.get(), nullptr, 0, &needed);
    std::vector<BYTE> buffer(needed);
    auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
    if (!::QueryServiceConfigW(service.get(), config, needed, &needed))
        throw std::runtime_error("QueryServiceConfigW failed: Windows error " + std::to_string(::GetLastError()));
    return {Win32::narrow(config->lpBinaryPathName), config->dwStartType, Win32::narrow(config->lpDisplayName),
            config->lpServiceStartName ? Win32::narrow(config->lpServiceStartName) : std::string()};
}

std::string serviceDataDirectory()
{
    const std::string config = platformDefaultConfigPath();
    return config.substr(0, config.find_last_of('\\'));
}

std::string serviceStateName(DWORD state)
{
    switch (state)
    {
    case 0: return "not registered";
    case SERVICE_STOPPED: return "STOPPED";
    case SERVICE_START_PENDING: return "START_PENDING";
    case SERVICE_STOP_PENDING: return "STOP_PENDING";
    case SERVICE_RUNNING: return "RUNNING";
    default: return "state " + std::to_string(state);
    }
}

} // namespace TokenBroker::Test
