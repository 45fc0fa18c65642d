#pragma once

// The service control manager's view of the TokenBroker service, as the
// Windows service and installer suites read it.

#include <winsock2.h>  // before windows.h, as POCO Net needs
#include <windows.h>

#include <memory>
#include <string>
#include <type_traits>

namespace TokenBroker::Test {

struct ServiceHandleCloser
{
    void operator()(SC_HANDLE handle) const { ::CloseServiceHandle(handle); }
};
using ServiceHandle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, ServiceHandleCloser>;

/// The TokenBroker service opened with `access`, or null when it is not
/// registered. Throws std::runtime_error when the SCM cannot be reached.
ServiceHandle openTokenBrokerService(DWORD access);

/// QueryServiceStatusEx; the state is 0 when the service is not registered.
SERVICE_STATUS_PROCESS queryServiceStatus();

/// QueryServiceConfigW's answer: the registered command line, start type,
/// display name and account. Throws when the service is not registered.
struct ServiceConfig
{
    std::string binaryPath;
    DWORD startType = 0;
    std::string displayName;
    std::string account;
};
ServiceConfig queryServiceConfig();

/// %ProgramData%\TokenBroker: the service's configuration, state and logs.
std::string serviceDataDirectory();

/// "RUNNING", "STOPPED", ... for messages.
std::string serviceStateName(DWORD state);

} // namespace TokenBroker::Test
