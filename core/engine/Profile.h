#pragma once

#include "Clock.h"
#include "Config.h"
#include "FlowInstance.h"
#include "Output.h"
#include "ProfileStatus.h"
#include "StateStore.h"

#include <Poco/Logger.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace TokenBroker {

/// A profile at run time: its flow instance, outputs and stored state.
/// renew() is the one path by which a token is obtained and published, so
/// the order "persist, then publish" holds everywhere.
class Profile
{
public:
    /// `settingsDigest` fingerprints the flow settings the token is obtained
    /// with, so a stored token is reused only while they stay the same.
    Profile(ProfileSpec spec, std::unique_ptr<FlowInstance> flow, std::vector<std::unique_ptr<Output>> outputs,
            std::shared_ptr<StateStore> state, std::string settingsDigest, const Clock& clock);

    const ProfileSpec& spec() const { return _spec; }
    const std::string& name() const { return _spec.name; }
    /// Changes whenever the profile's YAML, the defaults or a resolved
    /// setting (e.g. a secret file's content) change.
    std::string fingerprint() const { return _spec.fingerprint + "|" + _settingsDigest; }

    /// Obtains a new token (refresh when one is held, else acquire), stores it
    /// in state_dir and writes it to every output. A failed output write is
    /// reported as a retryable failure; the others are still written.
    FlowResult renew();

    /// Runs the flow's interactive first authorisation, then stores and
    /// publishes the token like renew().
    FlowResult login(LoginInteraction& interaction);
    bool supportsLogin() const { return _flow->supportsLogin(); }

    /// The stored token if it is still valid (written by this or an earlier
    /// process); publishes it again when `publish` is set.
    std::optional<Token> storedToken(bool publish);

    /// Removes an expired token from the outputs (and from state when no
    /// renewal is under way); false (nothing removed) when a renewal has
    /// meanwhile published a valid one. Never waits for a renewal, so an
    /// expired token leaves on time even while the server hangs.
    bool expire();

    /// Removes the outputs (profile deleted with on_remove: remove).
    void withdrawOutputs();

    ProfileStatus status() const;
    std::optional<Token> current() const;
    std::string lastError() const;
    std::string describeOutputs() const;

    /// The plugin's describe() facts (non-secret JSON object text), asked
    /// once at construction: the flow instance must not be called from two
    /// threads, and status pages read this while a renewal runs.
    const std::string& description() const { return _description; }

private:
    /// A new token from the flow: stamped, stored, published, announced.
    FlowResult accept(Token token);
    FlowResult publish(const Token& token);
    void setStatus(ProfileStatus status, const std::string& error);

    ProfileSpec _spec;
    std::unique_ptr<FlowInstance> _flow;
    std::vector<std::unique_ptr<Output>> _outputs;
    std::shared_ptr<StateStore> _state;
    std::string _settingsDigest;
    const Clock& _clock;
    Poco::Logger& _logger;

    std::mutex _renewMutex;           ///< one renewal at a time (ABI rule)
    std::mutex _publishMutex;         ///< orders publishing and withdrawing; never held across the network
    mutable std::mutex _statusMutex;
    ProfileStatus _status = ProfileStatus::Starting;
    std::optional<Token> _current;
    std::string _lastError;

    std::string _description;         ///< describe() at construction; after _flow
};

} // namespace TokenBroker
