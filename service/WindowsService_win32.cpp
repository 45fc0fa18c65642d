#include "WindowsService_win32.h"

#include "Daemon.h"

#include <Poco/Logger.h>

namespace TokenBroker {

const wchar_t* const kServiceName = L"TokenBroker";
const char* const kServiceOption = "--service";

namespace {

/// What the dispatcher thread hands to ServiceMain, which the SCM calls on
/// a thread of its own with the StartService arguments (not the process's).
struct Dispatch
{
    std::vector<std::string> args;
    WindowsService::Body body;
    int exitCode = 0;
};

Dispatch* g_dispatch = nullptr;
WindowsService* g_current = nullptr;

/// How long a START_PENDING or STOP_PENDING step may take before the SCM
/// should expect the next checkpoint; each is reported well within it.
constexpr DWORD kPendingHintMs = 5000;

} // namespace

bool WindowsService::dispatch(const std::vector<std::string>& args, Body body, int& exitCode)
{
    Dispatch dispatch{args, std::move(body)};
    g_dispatch = &dispatch;
    SERVICE_TABLE_ENTRYW table[] = {{const_cast<LPWSTR>(kServiceName), &WindowsService::serviceMain},
                                    {nullptr, nullptr}};
    // Blocks until the service has reported SERVICE_STOPPED.
    const bool connected = ::StartServiceCtrlDispatcherW(table) != 0;
    g_dispatch = nullptr;
    exitCode = dispatch.exitCode;
    return connected;
}

WindowsService* WindowsService::current()
{
    return g_current;
}

void WINAPI WindowsService::serviceMain(DWORD, LPWSTR*)
{
    WindowsService service;
    service._handle = ::RegisterServiceCtrlHandlerExW(kServiceName, &WindowsService::control, &service);
    if (!service._handle)
    {
        // Nothing can be reported to an SCM we cannot reach.
        g_dispatch->exitCode = 1;
        return;
    }
    {
        std::lock_guard<std::mutex> lock(service._mutex);
        service.report(SERVICE_START_PENDING, kPendingHintMs);
    }
    g_current = &service;
    int rc = 1;
    try
    {
        rc = g_dispatch->body(g_dispatch->args);
    }
    catch (const std::exception& e)
    {
        Poco::Logger::get("tokenbroker").fatal("the service failed: %s", std::string(e.what()));
    }
    g_current = nullptr;
    g_dispatch->exitCode = rc;
    service.stopped(rc);
}

DWORD WINAPI WindowsService::control(DWORD code, DWORD, LPVOID, LPVOID context)
{
    auto& service = *static_cast<WindowsService*>(context);
    std::lock_guard<std::mutex> lock(service._mutex);
    switch (code)
    {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        service._stopRequested = true;
        // At once, as the SCM expects; stopping() reports the progress.
        service.report(SERVICE_STOP_PENDING, kPendingHintMs);
        service._changed.notify_all();
        return NO_ERROR;
    case SERVICE_CONTROL_PARAMCHANGE:
        ++service._reloadsRequested;
        service._changed.notify_all();
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        // Answered by the SCM from the last reported status.
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

void WindowsService::serve(const Daemon& daemon, const std::function<void()>& reload)
{
    std::unique_lock<std::mutex> lock(_mutex);
    for (;;)
    {
        if (_stopRequested)
            return;
        if (_reloadsRequested > 0)
        {
            // Several PARAMCHANGEs in a row read the file once.
            _reloadsRequested = 0;
            lock.unlock();
            reload();
            lock.lock();
            continue;
        }
        if (_status.dwCurrentState == SERVICE_START_PENDING)
        {
            lock.unlock();
            const bool started = daemon.firstPassDone();
            lock.lock();
            if (started)
            {
                report(SERVICE_RUNNING, 0,
                       SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE);
                Poco::Logger::get("tokenbroker").information("the service is running");
            }
            else
            {
                // Progress: the first pass is still under way (each renewal
                // is bounded by its request timeouts).
                report(SERVICE_START_PENDING, kPendingHintMs);
                _changed.wait_for(lock, std::chrono::milliseconds(250));
            }
            continue;
        }
        _changed.wait(lock);
    }
}

void WindowsService::stopping(std::chrono::seconds bound)
{
    std::lock_guard<std::mutex> lock(_mutex);
    report(SERVICE_STOP_PENDING, kPendingHintMs);
    if (_progress.joinable())
        return;
    // A checkpoint a second while the stop is within its bound: past it
    // the SCM sees no progress, which is then the truth.
    const auto until = std::chrono::steady_clock::now() + bound;
    _progress = std::thread([this, until] {
        std::unique_lock<std::mutex> lock(_mutex);
        while (!_finished && std::chrono::steady_clock::now() < until)
        {
            _changed.wait_for(lock, std::chrono::seconds(1));
            if (!_finished)
                report(SERVICE_STOP_PENDING, kPendingHintMs);
        }
    });
}

void WindowsService::stopped(int exitCode)
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _finished = true;
        _changed.notify_all();
    }
    if (_progress.joinable())
        _progress.join();
    std::lock_guard<std::mutex> lock(_mutex);
    _status.dwWin32ExitCode = exitCode == 0 ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
    _status.dwServiceSpecificExitCode = static_cast<DWORD>(exitCode);
    report(SERVICE_STOPPED, 0);
}

WindowsService::~WindowsService()
{
    if (_progress.joinable())
        _progress.join();
}

void WindowsService::report(DWORD state, DWORD waitHintMs, DWORD accepted)
{
    const bool pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
    _status.dwCheckPoint = pending && state == _status.dwCurrentState ? _status.dwCheckPoint + 1 : 0;
    _status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    _status.dwCurrentState = state;
    _status.dwControlsAccepted = accepted;
    _status.dwWaitHint = waitHintMs;
    ::SetServiceStatus(_handle, &_status);
}

} // namespace TokenBroker
