#pragma once

#include "SystemdNotify_posix.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace TokenBroker {

class Daemon;

/// What systemd learns from a `Type=notify` daemon: READY=1 once the first
/// pass over the profiles is done (so `After=tokenbroker.service` means the
/// tokens exist), RELOADING=1 ... READY=1 around a reload (READY once the
/// profiles it added have had their first attempt too), STOPPING=1,
/// STATUS= "N/M profiles ready" as it changes, and WATCHDOG=1 at half the
/// manager's WatchdogSec while the daemon's own thread still runs. Inert
/// without NOTIFY_SOCKET.
class ServiceManagerStatus
{
public:
    ServiceManagerStatus(SystemdNotify notify, const Daemon& daemon);
    /// Says STOPPING=1 if stopping() was not called, and ends the thread.
    ~ServiceManagerStatus();
    ServiceManagerStatus(const ServiceManagerStatus&) = delete;
    ServiceManagerStatus& operator=(const ServiceManagerStatus&) = delete;

    void reloading();
    void reloaded();
    void stopping();

private:
    void run();
    /// "2/3 profiles ready; not ready: b (needs_login)".
    std::string statusLine() const;

    SystemdNotify _notify;
    const Daemon& _daemon;
    std::mutex _mutex;
    std::condition_variable _wake;
    bool _ready = false;     ///< READY=1 was sent (and no RELOADING=1 since)
    bool _reloading = false;
    bool _stopping = false;
    std::string _lastStatus;
    std::thread _thread;
};

} // namespace TokenBroker
