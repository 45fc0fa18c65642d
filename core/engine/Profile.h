#pragma once

#include "Clock.h"
#include "Config.h"
#include "Flow.h"
#include "HookRuns.h"
#include "Output.h"
#include "ProfileStatus.h"
#include "StateStore.h"

#include <Poco/Logger.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace TokenBroker {

/// A profile at run time: its flow, outputs and stored state. renew() and
/// login() are the only paths by which a token is obtained, and both keep
/// the order "store, then publish".
///
/// Locks, from outermost: the renewal mutex (one flow call at a time, as
/// the ABI requires; held across the network), the profile's state file
/// lock (shared with other processes; taken with a bounded wait), the
/// publish mutex (output writes only; never held across the network or a
/// file lock). expire() and withdrawOutputs() take only the publish mutex,
/// so the scheduler can always withdraw a token on time.
class Profile
{
public:
    /// `identity` tags the stored state; `settingsDigest` fingerprints the
    /// flow settings, so a stored token is reused only while they stay the
    /// same. A renewal waits at most `lockWait` for another process (e.g.
    /// `tokenbroker login`) holding the profile's state lock.
    Profile(ProfileSpec spec, std::unique_ptr<Flow> flow, std::vector<std::unique_ptr<Output>> outputs,
            std::shared_ptr<StateStore> state, std::string identity, std::string settingsDigest, const Clock& clock,
            std::chrono::milliseconds lockWait);

    const ProfileSpec& spec() const { return _spec; }
    const std::string& name() const { return _spec.name; }
    /// Changes whenever the profile's YAML, the defaults or a resolved
    /// setting (e.g. a secret file's content) change.
    std::string fingerprint() const { return _spec.fingerprint + "|" + _settingsDigest; }

    /// Brings the outputs up to date. When the last publish failed and the
    /// token held is still valid, that token is written again and nothing
    /// is fetched (a full /run must not rotate refresh tokens for nothing).
    /// Otherwise obtains a new token (refresh when one is held, else
    /// acquire), stores it in state_dir and writes it to every output. A
    /// failed output write is reported as a retryable failure; the other
    /// outputs are still written.
    FlowResult renew();

    /// Publishes the token stored by this or an earlier process if it is
    /// still valid; nothing when there is none.
    std::optional<FlowResult> adoptStoredToken();

    /// Runs the flow's interactive first authorisation, then stores and
    /// publishes the token like renew().
    FlowResult login(LoginInteraction& interaction);
    bool supportsLogin() const { return _flow->supportsLogin(); }
    /// Every output holds the current token (false while one cannot be
    /// written, e.g. on a full disk: the files may hold an older token).
    bool outputsCurrent() const;

    /// The stored token if it is still valid, read without taking a lock,
    /// writing or moving anything. Throws StateUnreadable.
    std::optional<Token> peekStoredToken() const;

    /// Removes an expired token from the outputs; false (nothing removed)
    /// when a renewal has meanwhile published a valid one. Never waits for
    /// a renewal or a file lock, so an expired token leaves on time even
    /// while the server hangs or `tokenbroker login` holds the state lock.
    bool expire();

    /// Removes the outputs (profile deleted with on_remove: remove).
    void withdrawOutputs();

    /// A reload replaced or removed this profile: a renewal still running
    /// may store what it obtains (a rotated refresh token must not be lost)
    /// but no longer writes the outputs, which belong to its successor.
    void retire() { _retired = true; }

    ProfileStatus status() const;
    std::optional<Token> current() const;
    std::string lastError() const;
    std::string describeOutputs() const;
    /// on_rotate runs of this profile object by outcome.
    HookRuns hookRuns() const;

    /// The plugin's describe() facts (non-secret JSON object text), asked
    /// once at construction: the flow instance must not be called from two
    /// threads, and status pages read this while a renewal runs.
    const std::string& description() const { return _description; }
    /// The flow's login needs no browser on this machine (its description
    /// says "login": "device"): the daemon may run it itself.
    bool hasDeviceLogin() const { return _deviceLogin; }

private:
    /// A stored token is valid now and passes tokenRefusal().
    bool usable(const Token& stored) const;
    /// A new token from the flow, under the state lock: checked (not
    /// already expired), stamped and stored.
    FlowResult store(FlowResult result);
    /// Publishes a token to the outputs and runs on_rotate when they took it.
    FlowResult announce(const Token& token);
    FlowResult publish(const Token& token);
    FlowResult fail(FlowResult result);
    void setStatus(ProfileStatus status, const std::string& error);

    ProfileSpec _spec;
    std::unique_ptr<Flow> _flow;
    std::vector<std::unique_ptr<Output>> _outputs;
    std::shared_ptr<StateStore> _state;
    std::string _identity;
    std::string _settingsDigest;
    const Clock& _clock;
    std::chrono::milliseconds _lockWait;
    Poco::Logger& _logger;
    std::atomic<bool> _retired{false};

    std::mutex _renewMutex;
    std::mutex _publishMutex;
    mutable std::mutex _statusMutex;
    ProfileStatus _status = ProfileStatus::Starting;
    std::optional<Token> _current;
    bool _publishPending = false;     ///< _current is not in every output yet
    std::string _lastError;
    HookRuns _hookRuns;

    std::string _description;         ///< describe() at construction; after _flow
    bool _deviceLogin = false;        ///< from _description
};

} // namespace TokenBroker
