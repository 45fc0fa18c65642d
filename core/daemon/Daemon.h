#pragma once

#include "AdminServer.h"
#include "DaemonLogins.h"
#include "FileLock.h"
#include "LoadedConfig.h"
#include "Scheduler.h"

#include <Poco/Logger.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

namespace TokenBroker {

/// `tokenbroker run`: a configuration kept alive. Owns the scheduler and
/// the admin endpoint, and applies reloads as differences so unchanged
/// profiles keep their tokens and schedule.
/// Another daemon holds the state directory.
class AlreadyRunning : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

class Daemon : public AdminBackend
{
public:
    /// Builds everything from the file and starts it; throws ConfigErrors,
    /// or AlreadyRunning when another daemon uses the same state_dir.
    /// `parsed`: the file as the caller already parsed it (ConfigLoader::
    /// parseFile), so that a large file is not read twice at start;
    /// reloads read the file.
    explicit Daemon(std::string configPath, std::optional<Config> parsed = std::nullopt);
    ~Daemon() override;

    /// Re-reads the file. A broken file changes nothing: the errors are
    /// logged (file:line:col) and returned, the old configuration runs on.
    bool reload(std::string& errors) override;

    std::vector<ProfileView> profiles() const override;
    DaemonView daemonView() const override;
    bool renewNow(const std::string& profile) override;
    bool publishedToken(const std::string& profile, std::optional<Token>& token) const override;
    LoginStart startLogin(const std::string& profile) override;

    /// Stops the admin endpoint and refreshing in order: sleeping plugins
    /// and hooks are woken or ended at once, renewals in flight may finish
    /// within broker.stop_timeout (so a rotated refresh token is stored),
    /// then their requests are cancelled. Returns the number of renewals
    /// that still would not end (0 in all but a plugin stuck outside the
    /// host's services).
    std::size_t stop();

    /// The admin endpoint's URL, or empty when it is off or could not bind.
    std::string adminUrl() const;

    /// True once every profile has had its first attempt (a stored token
    /// adopted, or a renewal that succeeded or failed): what a supervisor
    /// waits for before calling the daemon started.
    bool firstPassDone() const;

    /// How long stop() may take at most: broker.stop_timeout and the
    /// cancelled requests' wind-down.
    std::chrono::seconds stopBound() const;

private:
    void startAdmin(const BrokerSettings& settings);
    /// Hands the freed memory of a burst of renewals back to the system.
    void releaseMemoryAfterBurst();
    /// Starts the daemon's own login for a device profile; see startLogin().
    LoginStart startDeviceLogin(const std::shared_ptr<Profile>& profile);
    /// Takes the state_dir's daemon lock; throws AlreadyRunning.
    void claimStateDirectory();
    /// Counts a reload in the facts daemonView() shows.
    void noteReload(bool ok, const std::string& error);

    std::string _configPath;
    Poco::Logger& _logger;
    std::shared_ptr<StopSignal> _stop;
    std::unique_ptr<FileLock> _instanceLock;
    mutable std::mutex _mutex;   ///< one reload at a time (HUP and the admin endpoint)
    std::unique_ptr<LoadedConfig> _broker;
    std::unique_ptr<Scheduler> _scheduler;
    DaemonLogins _logins;       ///< joined by stop(), before the scheduler goes
    std::atomic<bool> _deviceLoginAuto{false};
    std::atomic<std::int64_t> _lastMemoryReleaseMs{0}; ///< steady clock; 0: never
    std::unique_ptr<AdminServer> _admin;
    std::string _adminListen;
    mutable std::mutex _viewMutex; ///< _view only: readable while a reload holds _mutex
    DaemonView _view;
};

} // namespace TokenBroker
