#include "ServiceRegistration_win32.h"

#include "CommandLine_win32.h"
#include "ConfigLoader.h"
#include "DefaultPaths.h"
#include "ExecutablePath.h"
#include "FileSystem.h"
#include "WindowsService_win32.h"
#include "Win32Text_win32.h"

#include <Poco/Error.h>

#include <windows.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

namespace TokenBroker {

namespace {

const wchar_t* const kDisplayName = L"TokenBroker";
const wchar_t* const kDescription =
    L"Keeps API access tokens fresh for the programs on this machine (tokenbroker).";
const wchar_t* const kEventSourceKey = L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\TokenBroker";

/// Restart after a crash: at 5 s, 30 s, then every 60 s; the count of
/// failures starts again after a day without one. The "non-crash failures"
/// flag stays off, so a service that stops itself with an error (a
/// configuration error: SERVICE_STOPPED with exit code 2) is not restarted
/// into the same error.
constexpr DWORD kFailureResetSeconds = 24 * 60 * 60;
SC_ACTION kRecovery[] = {{SC_ACTION_RESTART, 5000}, {SC_ACTION_RESTART, 30000}, {SC_ACTION_RESTART, 60000}};

[[noreturn]] void fail(const std::string& what)
{
    const DWORD code = ::GetLastError();
    std::string reason = Poco::Error::getMessage(code);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r' || reason.back() == '.'))
        reason.pop_back();
    std::string hint;
    if (code == ERROR_ACCESS_DENIED)
        hint = " (run it from an elevated prompt: registering a service needs an administrator)";
    throw std::runtime_error(what + ": " + reason + " (Windows error " + std::to_string(code) + ")" + hint);
}

struct ServiceHandleCloser
{
    void operator()(SC_HANDLE handle) const { ::CloseServiceHandle(handle); }
};
using ServiceHandle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, ServiceHandleCloser>;

ServiceHandle openManager()
{
    ServiceHandle manager(::OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE));
    if (!manager)
        fail("cannot open the service control manager");
    return manager;
}

void configure(SC_HANDLE service, DWORD level, void* info, const char* what)
{
    if (!::ChangeServiceConfig2W(service, level, info))
        fail(std::string("cannot set the service's ") + what);
}

void setRegistryValue(HKEY key, const wchar_t* name, DWORD type, const void* data, DWORD size)
{
    const LSTATUS rc = ::RegSetValueExW(key, name, 0, type, static_cast<const BYTE*>(data), size);
    if (rc != ERROR_SUCCESS)
    {
        ::SetLastError(static_cast<DWORD>(rc));
        fail("cannot write the Event Log source's " + Win32::narrow(name));
    }
}

/// HKLM\...\EventLog\Application\TokenBroker: the messages (and the
/// categories POCO's EventLogChannel uses) come from this executable's
/// message table, so Event Viewer shows the text and not "the description
/// for Event ID 4096 cannot be found". Written before POCO's channel opens
/// the source: it fills in a key only when it creates it.
void registerEventSource(const std::wstring& executable)
{
    HKEY key = nullptr;
    const LSTATUS rc = ::RegCreateKeyExW(HKEY_LOCAL_MACHINE, kEventSourceKey, 0, nullptr, REG_OPTION_NON_VOLATILE,
                                         KEY_SET_VALUE, nullptr, &key, nullptr);
    if (rc != ERROR_SUCCESS)
    {
        ::SetLastError(static_cast<DWORD>(rc));
        fail("cannot register the Event Log source TokenBroker");
    }
    const DWORD bytes = static_cast<DWORD>((executable.size() + 1) * sizeof(wchar_t));
    const DWORD categories = 8;  // POCO's: fatal .. trace
    const DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    try
    {
        setRegistryValue(key, L"EventMessageFile", REG_EXPAND_SZ, executable.c_str(), bytes);
        setRegistryValue(key, L"CategoryMessageFile", REG_EXPAND_SZ, executable.c_str(), bytes);
        setRegistryValue(key, L"CategoryCount", REG_DWORD, &categories, sizeof categories);
        setRegistryValue(key, L"TypesSupported", REG_DWORD, &types, sizeof types);
    }
    catch (...)
    {
        ::RegCloseKey(key);
        throw;
    }
    ::RegCloseKey(key);
}

/// %ProgramData%\TokenBroker: where the default configuration lives.
std::string dataDirectory()
{
    const std::string config = platformDefaultConfigPath();
    return config.substr(0, config.find_last_of('\\'));
}

} // namespace

RegistrationReport registerService(const std::string& configPath)
{
    RegistrationReport report;
    const std::string executable = executablePath();
    std::vector<std::string> argv = {executable, kServiceOption};
    if (!configPath.empty())
        argv.push_back("--config=" + configPath);
    const std::wstring commandLine = Win32::commandLine(argv);

    ServiceHandle manager = openManager();
    ServiceHandle service(::OpenServiceW(manager.get(), kServiceName, SERVICE_ALL_ACCESS));
    if (service)
    {
        // An upgrade or a new config path: same service, its account kept.
        if (!::ChangeServiceConfigW(service.get(), SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                    SERVICE_ERROR_NORMAL, commandLine.c_str(), nullptr, nullptr, nullptr, nullptr,
                                    nullptr, kDisplayName))
            fail("cannot update the TokenBroker service");
        report.lines.push_back("updated the TokenBroker service: " + Win32::narrow(commandLine));
    }
    else
    {
        if (::GetLastError() != ERROR_SERVICE_DOES_NOT_EXIST)
            fail("cannot open the TokenBroker service");
        service.reset(::CreateServiceW(manager.get(), kServiceName, kDisplayName, SERVICE_ALL_ACCESS,
                                       SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
                                       commandLine.c_str(), nullptr, nullptr, nullptr, nullptr, nullptr));
        if (!service)
            fail("cannot register the TokenBroker service");
        report.lines.push_back("registered the TokenBroker service (LocalSystem): " + Win32::narrow(commandLine));
    }

    SERVICE_DESCRIPTIONW description{const_cast<LPWSTR>(kDescription)};
    configure(service.get(), SERVICE_CONFIG_DESCRIPTION, &description, "description");
    SERVICE_DELAYED_AUTO_START_INFO delayed{TRUE};
    // A service manager without the delayed start (wine) still starts the
    // service automatically, only earlier: said, not fatal.
    bool delayedStart = true;
    if (!::ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed))
    {
        if (::GetLastError() != ERROR_INVALID_LEVEL)
            fail("cannot set the service's delayed automatic start");
        delayedStart = false;
    }
    SERVICE_FAILURE_ACTIONSW recovery{};
    recovery.dwResetPeriod = kFailureResetSeconds;
    recovery.cActions = static_cast<DWORD>(std::size(kRecovery));
    recovery.lpsaActions = kRecovery;
    configure(service.get(), SERVICE_CONFIG_FAILURE_ACTIONS, &recovery, "recovery actions");
    report.lines.push_back(std::string("start: automatic") +
                           (delayedStart ? " (delayed)" : " (this system has no delayed start)") +
                           "; recovery: restart after 5 s, 30 s, 60 s after a crash");

    registerEventSource(Win32::wide(executable));
    report.lines.push_back("registered the Event Log source TokenBroker (Application log)");

    const std::string data = dataDirectory();
    for (const std::string& dir : {data, platformDefaultStateDir(), data + "\\logs"})
        makePrivateDirectory(dir);
    report.lines.push_back("data directory " + data +
                           " (with state\\ and logs\\): SYSTEM, Administrators and this account only");
    return report;
}

RegistrationReport unregisterService()
{
    RegistrationReport report;
    ServiceHandle manager = openManager();
    ServiceHandle service(::OpenServiceW(manager.get(), kServiceName, SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE));
    if (!service)
    {
        if (::GetLastError() != ERROR_SERVICE_DOES_NOT_EXIST)
            fail("cannot open the TokenBroker service");
        report.lines.push_back("the TokenBroker service is not registered; nothing to remove");
    }
    else
    {
        SERVICE_STATUS status{};
        if (::ControlService(service.get(), SERVICE_CONTROL_STOP, &status))
        {
            report.lines.push_back("stopping the TokenBroker service");
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            while (::QueryServiceStatus(service.get(), &status) && status.dwCurrentState != SERVICE_STOPPED &&
                   std::chrono::steady_clock::now() < deadline)
                std::this_thread::sleep_for(std::chrono::milliseconds(250));
            if (status.dwCurrentState != SERVICE_STOPPED)
                report.lines.push_back("warning: the service did not stop within 60 s; it is removed once it does");
        }
        if (!::DeleteService(service.get()) && ::GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE)
            fail("cannot remove the TokenBroker service");
        report.lines.push_back("removed the TokenBroker service");
    }
    const LSTATUS rc = ::RegDeleteKeyW(HKEY_LOCAL_MACHINE, kEventSourceKey);
    if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND)
    {
        ::SetLastError(static_cast<DWORD>(rc));
        fail("cannot remove the Event Log source TokenBroker");
    }
    report.lines.push_back("configuration, state and logs are kept in " +
                           dataDirectory());
    return report;
}

} // namespace TokenBroker
