#pragma once

#include "Profile.h"
#include "ProfileView.h"
#include "StopSignal.h"

#include <Poco/Logger.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace TokenBroker {

/// Device-code logins the daemon runs itself, for a headless service: each
/// on a thread of its own (a person may take minutes), at most one per
/// profile. Their device code is shown through prompt() (status page,
/// /v1/profiles) and in the log. A flow that needs a browser redirect is
/// refused by the interaction: that takes `tokenbroker login` at a terminal.
class DaemonLogins
{
public:
    /// Told when a login obtained a token (to schedule its renewals).
    using Done = std::function<void(const std::shared_ptr<Profile>&, const FlowResult&)>;

    DaemonLogins(std::shared_ptr<const StopSignal> stop, Poco::Logger& logger);
    ~DaemonLogins();

    /// Starts a login for `profile`; false when one is already running for
    /// a profile of that name.
    bool start(const std::shared_ptr<Profile>& profile, Done done);

    /// What the last login started for `name` shows; none when there was none.
    std::optional<LoginPrompt> prompt(const std::string& name) const;

    /// Waits up to `grace` for the logins to end (the stop signal, raised
    /// by the caller, ends their waits); returns how many still run.
    std::size_t wait(std::chrono::milliseconds grace);
    /// Joins every login thread; call once wait() returned 0, or after
    /// their requests were cancelled.
    void join();

private:
    class Interaction;
    struct Entry
    {
        LoginPrompt prompt;
        std::thread thread;
    };

    void run(std::shared_ptr<Profile> profile, Done done);
    void update(const std::string& name, const std::function<void(LoginPrompt&)>& change);

    std::shared_ptr<const StopSignal> _stop;
    Poco::Logger& _logger;
    mutable std::mutex _mutex;
    std::condition_variable _ended;
    std::map<std::string, Entry> _logins;
};

} // namespace TokenBroker
