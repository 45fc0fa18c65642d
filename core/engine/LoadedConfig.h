#pragma once

#include "Clock.h"
#include "Config.h"
#include "PluginRegistry.h"
#include "SecretReference.h"
#include "Profile.h"
#include "StateStore.h"
#include "StopSignal.h"

#include <memory>
#include <string>
#include <vector>

namespace TokenBroker {

/// A configuration brought to life: plugins loaded, every profile's settings
/// bound and accepted by its plugin, outputs built. Constructing one is what
/// `tokenbroker check` verifies; nothing is fetched or written until a
/// profile is renewed.
class LoadedConfig
{
public:
    /// Throws ConfigErrors listing every problem (unknown flow, bad settings,
    /// plugin rejections), each at its file:line:col.
    /// `stop` is raised when the process stops: plugins sleeping through
    /// the host's sleep_ms wake at once.
    LoadedConfig(Config config, std::shared_ptr<PluginRegistry> plugins, const Clock& clock = Clock::system(),
                 std::shared_ptr<const StopSignal> stop = std::make_shared<StopSignal>());

    /// The configuration it was built from. Its `profiles` are empty: each
    /// Profile holds its own spec.
    const Config& config() const { return _config; }
    const PluginRegistry& plugins() const { return *_plugins; }
    StateStore& state() const { return *_state; }
    const std::vector<std::shared_ptr<Profile>>& profiles() const { return _profiles; }
    std::shared_ptr<Profile> find(const std::string& name) const;

    /// Loads the plugins named by broker.plugin_dirs (or the default).
    static std::shared_ptr<PluginRegistry> loadPlugins(const BrokerSettings& settings);

private:
    /// Moves `spec` into the profile it builds.
    std::shared_ptr<Profile> build(ProfileSpec& spec, Diagnostics& diagnostics, ReferencedFiles& files);

    Config _config;
    std::shared_ptr<PluginRegistry> _plugins;
    const Clock& _clock;
    std::shared_ptr<const StopSignal> _stop;
    std::shared_ptr<StateStore> _state;
    std::vector<std::shared_ptr<Profile>> _profiles;
};

/// The identity a profile's stored state is tagged with.
std::string profileIdentity(const ProfileSpec& spec, const Poco::JSON::Object::Ptr& settings);

/// SHA-256 (hex) of the bound settings' JSON text: changes whenever any
/// setting does.
std::string settingsDigest(const std::string& settingsJson);

} // namespace TokenBroker
