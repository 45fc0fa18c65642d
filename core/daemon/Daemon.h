#pragma once

#include "AdminServer.h"
#include "LoadedConfig.h"
#include "Scheduler.h"

#include <Poco/Logger.h>

#include <memory>
#include <mutex>
#include <string>

namespace TokenBroker {

/// `tokenbroker run`: a configuration kept alive. Owns the scheduler and
/// the admin endpoint, and applies reloads as differences so unchanged
/// profiles keep their tokens and schedule.
class Daemon : public AdminBackend
{
public:
    /// Builds everything from the file and starts it; throws ConfigErrors.
    explicit Daemon(std::string configPath);
    ~Daemon() override;

    /// Re-reads the file. A broken file changes nothing: the errors are
    /// logged (file:line:col) and returned, the old configuration runs on.
    bool reload(std::string& errors) override;

    std::vector<ProfileView> profiles() const override;
    bool renewNow(const std::string& profile) override;

    /// Stops refreshing and the admin endpoint; returns the number of
    /// renewals abandoned in the network after the grace period.
    std::size_t stop();

    /// The admin endpoint's URL, or empty when it is off or could not bind.
    std::string adminUrl() const;

private:
    void startAdmin(const BrokerSettings& settings);

    std::string _configPath;
    Poco::Logger& _logger;
    mutable std::mutex _mutex;   ///< one reload at a time (HUP and the admin endpoint)
    std::unique_ptr<LoadedConfig> _broker;
    std::unique_ptr<Scheduler> _scheduler;
    std::unique_ptr<AdminServer> _admin;
    std::string _adminListen;
};

} // namespace TokenBroker
