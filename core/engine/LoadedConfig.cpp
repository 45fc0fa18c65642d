#include "LoadedConfig.h"

#include "ConfigLoader.h"
#include "FlowInstance.h"
#include "HookProcess.h"
#include "SettingsBinder.h"
#include "SettingsJson.h"
#include "Sha256Digest.h"
#include "Suggest.h"

#include <Poco/DigestEngine.h>
#include <Poco/Environment.h>

namespace TokenBroker {

std::string profileIdentity(const ProfileSpec& spec, const Poco::JSON::Object::Ptr& settings)
{
    return spec.flow + "|" + settings->optValue<std::string>("client_id", "") + "|" + spec.baseUrl;
}

std::string settingsDigest(const std::string& settingsJson)
{
    return Sha256Digest::hex(settingsJson);
}

namespace {

/// " (from FILE)" / " (from environment variable NAME)" when the rejected
/// value was read from somewhere the plugin cannot name: it sees only the
/// text, and the YAML position alone does not show an environment variable.
std::string settingSource(const ProfileSpec& spec, const FlowSchema& schema, const std::string& key)
{
    if (key.empty())
        return "";
    auto it = spec.settings.find(key);
    if (it == spec.settings.end())
    {
        const SettingSchema* setting = schema.find(key);
        const bool fromEnv = setting && !setting->env.empty() && Poco::Environment::has(setting->env);
        return fromEnv ? " (from environment variable " + setting->env + ")" : "";
    }
    const ConfigNode& value = it->second.value;
    if (!value.isMap() || value.size() != 1 || !value.begin()->second.isScalar())
        return "";
    const std::string kind = value.begin()->first.scalar();
    const std::string target = value.begin()->second.scalar();
    if (kind == "file")
        return " (from " + ConfigLoader::resolvePath(target, spec.baseDirectory) + ")";
    if (kind == "env")
        return " (from environment variable " + target + ")";
    return "";
}

} // namespace

std::shared_ptr<PluginRegistry> LoadedConfig::loadPlugins(const BrokerSettings& settings)
{
    auto registry = std::make_shared<PluginRegistry>();
    registry->loadDirectories(settings.pluginDirs.empty() ? PluginRegistry::defaultDirectories() : settings.pluginDirs);
    return registry;
}

LoadedConfig::LoadedConfig(Config config, std::shared_ptr<PluginRegistry> plugins, const Clock& clock,
                           std::shared_ptr<const StopSignal> stop)
    : _config(std::move(config))
    , _plugins(std::move(plugins))
    , _clock(clock)
    , _stop(std::move(stop))
    , _state(std::make_shared<StateStore>(_config.broker.stateDir))
{
    // The core keys' errors and the flows' in one report.
    Diagnostics diagnostics;
    for (const auto& error : _config.errors)
        diagnostics.add(error);
    ReferencedFiles files;
    for (auto& spec : _config.profiles)
    {
        if (auto profile = build(spec, diagnostics, files))
            _profiles.push_back(profile);
    }
    diagnostics.throwIfAny();
    // Each profile holds its spec now: a second copy of every spec was a
    // tenth of the daemon's memory per profile.
    _config.profiles.clear();
    _config.profiles.shrink_to_fit();
}

std::shared_ptr<Profile> LoadedConfig::find(const std::string& name) const
{
    for (const auto& profile : _profiles)
    {
        if (profile->name() == name)
            return profile;
    }
    return nullptr;
}

std::shared_ptr<Profile> LoadedConfig::build(ProfileSpec& spec, Diagnostics& diagnostics, ReferencedFiles& files)
{
    auto flow = _plugins->findFlow(spec.flow);
    if (!flow && spec.flow.empty())
        return nullptr;  // already reported: no 'flow'
    if (!flow)
    {
        std::string message = "profile '" + spec.name + "': no plugin provides flow '" + spec.flow + "'" +
                              didYouMean(spec.flow, _plugins->flowNames());
        for (const auto& refusal : _plugins->refusals())
            message += "\n  refused " + refusal.path + ": " + refusal.reason;
        diagnostics.error(spec.flowLocation, message);
        return nullptr;
    }
    const std::size_t before = diagnostics.size();
    Poco::JSON::Object::Ptr settings = bindSettings(spec, flow->flow->schema, diagnostics, &files);
    if (spec.hasErrors)
        return nullptr;
    std::vector<std::unique_ptr<Output>> outputs;
    for (const auto& outputSpec : spec.outputs)
    {
        try
        {
            validateOutput(outputSpec);
            outputs.push_back(makeOutput(outputSpec));
        }
        catch (const ConfigError& e)
        {
            diagnostics.add(e);
        }
    }
    if (!spec.onRotate.empty())
    {
        if (auto why = cannotRunHook(spec.onRotate[0]))
            diagnostics.error(spec.onRotateLocation, "profile '" + spec.name + "': on_rotate: " + *why);
    }
    if (diagnostics.size() != before)
        return nullptr;
    const std::string identity = profileIdentity(spec, settings);
    auto host = std::make_unique<ProfileHost>(spec.name, spec.baseUrl, HttpClient(spec.caFile, spec.timeouts), _state,
                                              identity, _clock, _stop);
    try
    {
        // One text for the plugin and the fingerprint.
        const std::string json = settingsJson(*settings);
        auto instance = std::make_unique<FlowInstance>(*flow, json, std::move(host));
        // Another process holding the profile's state lock is given as long
        // as one request may take before a renewal gives up for now.
        const std::chrono::milliseconds lockWait = std::chrono::seconds(spec.timeouts.total);
        // The settings are bound into the flow; their nodes would keep the
        // file's whole tree (a ConfigNode shares its document) for the
        // daemon's life.
        spec.settings.clear();
        return std::make_shared<Profile>(std::move(spec), std::move(instance), std::move(outputs), _state, identity,
                                         settingsDigest(json), _clock, lockWait);
    }
    catch (const SettingsRejected& e)
    {
        diagnostics.error(e.key().empty() ? spec.location : locateSetting(spec, e.key()),
                          "profile '" + spec.name + "': " + e.what() + settingSource(spec, flow->flow->schema, e.key()));
        return nullptr;
    }
}

} // namespace TokenBroker
