#pragma once

// The Windows service side of tokenbroker.exe: what the service control
// manager (SCM) sees while `run` works. POCO 1.11's ServiceMain is not used:
// it reports RUNNING before the application has done anything, accepts no
// PARAMCHANGE, drops the command line (so -c is lost) and ends with no
// STOP_PENDING progress.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// winsock2 before windows.h: POCO Net (Daemon.h) needs it so.
#include <winsock2.h>
#include <windows.h>

namespace TokenBroker {

class Daemon;

/// The service's name in the SCM, the Event Log source and the registry.
extern const wchar_t* const kServiceName;

/// The option the registered command line carries: only the SCM starts
/// tokenbroker.exe with it.
extern const char* const kServiceOption;

/// One service run, from the SCM's ServiceMain call to SERVICE_STOPPED.
/// Status reports are truthful: START_PENDING (with progress) until the
/// daemon's first pass over the profiles is done, RUNNING, STOP_PENDING
/// (with progress) during the orderly stop, STOPPED with the exit code (a
/// service-specific code for a configuration error or a failure).
class WindowsService
{
public:
    /// What the service runs: the application's whole life, given the
    /// process's arguments; returns its exit code (0, 1 or 2).
    using Body = std::function<int(const std::vector<std::string>& args)>;

    /// Connects this process to the SCM and runs `body` as the service;
    /// returns when the service has stopped. Returns false, changing
    /// nothing, when the SCM did not start this process (the caller says
    /// so and exits).
    static bool dispatch(const std::vector<std::string>& args, Body body, int& exitCode);

    /// The running service, or null in a console process.
    static WindowsService* current();

    /// The daemon has started: reports START_PENDING progress until its
    /// first pass is done, then RUNNING; then applies PARAMCHANGE as
    /// `reload` and returns when a STOP or SHUTDOWN arrives.
    void serve(const Daemon& daemon, const std::function<void()>& reload);

    /// An orderly stop that may take up to `bound` has begun: STOP_PENDING,
    /// with progress reported every second until the service stops.
    void stopping(std::chrono::seconds bound);

    ~WindowsService();

private:
    WindowsService() = default;

    static void WINAPI serviceMain(DWORD argc, LPWSTR* argv);
    static DWORD WINAPI control(DWORD code, DWORD type, LPVOID data, LPVOID context);

    /// SetServiceStatus with the mutex held; a new state restarts the
    /// checkpoint count, the same state advances it.
    void report(DWORD state, DWORD waitHintMs, DWORD accepted = 0);
    void stopped(int exitCode);

    SERVICE_STATUS_HANDLE _handle = nullptr;
    std::mutex _mutex;                 ///< the status and the requests
    std::condition_variable _changed;
    SERVICE_STATUS _status{};
    bool _stopRequested = false;
    int _reloadsRequested = 0;
    std::thread _progress;             ///< checkpoints while STOP_PENDING
    bool _finished = false;            ///< SERVICE_STOPPED reported
};

} // namespace TokenBroker
