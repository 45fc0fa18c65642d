#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace TokenBroker {

/// The service manager's notification socket: sd_notify(3)'s datagram
/// protocol spoken directly (one sendto of NAME=VALUE lines), so the
/// daemon needs no libsystemd. Inert when NOTIFY_SOCKET is not set.
class SystemdNotify
{
public:
    /// Takes NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the
    /// environment and removes them, so that hooks and plugins started
    /// later cannot speak for the daemon (sd_notify's unset_environment).
    static SystemdNotify fromEnvironment();

    bool enabled() const { return !_socket.empty(); }

    /// Sends `state` ("READY=1\nSTATUS=..."); false when it could not be
    /// sent (a manager that went away is no reason to stop serving tokens).
    bool send(const std::string& state) const;

    /// How often WATCHDOG=1 must arrive, when the manager asked for it
    /// (WatchdogSec=) and meant this process.
    std::optional<std::chrono::microseconds> watchdogTimeout() const { return _watchdog; }

    /// "MONOTONIC_USEC=N": CLOCK_MONOTONIC now, which RELOADING=1 carries.
    static std::string monotonicUsec();

private:
    std::string _socket;
    std::optional<std::chrono::microseconds> _watchdog;
};

} // namespace TokenBroker
