#pragma once

#include "Flow.h"
#include "PluginRegistry.h"
#include "ProfileHost.h"
#include "Token.h"

#include <Poco/JSON/Object.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace TokenBroker {

/// create() rejected the settings; `key` names the setting when known.
class SettingsRejected : public std::runtime_error
{
public:
    SettingsRejected(std::string key, const std::string& message)
        : std::runtime_error(message)
        , _key(std::move(key))
    {
    }
    const std::string& key() const { return _key; }

private:
    std::string _key;
};

/// One plugin flow instance for one profile (RAII over create/destroy).
/// Not thread-safe: the caller serialises calls, as the ABI requires.
class FlowInstance : public Flow
{
public:
    /// `settingsJson`: the bound settings as a JSON object's text, as the
    /// plugin's create() takes them. Throws SettingsRejected.
    FlowInstance(PluginRegistry::FlowRef flow, const std::string& settingsJson,
                 std::unique_ptr<ProfileHost> host);
    ~FlowInstance() override;
    FlowInstance(const FlowInstance&) = delete;
    FlowInstance& operator=(const FlowInstance&) = delete;

    FlowResult acquire() override;
    FlowResult refresh() override;
    FlowResult login(LoginInteraction& interaction) override;
    bool supportsLogin() const override;
    /// JSON object text, "{}" when the plugin failed or answered something else.
    std::string describe() override;

    const ProfileHost& host() const { return *_host; }
    const std::string& flowName() const { return _flowName; }
    const Plugin& plugin() const { return *_plugin; }

private:
    using Entry = int (*)(void*, const tokenbroker_host*, char**);
    FlowResult call(Entry entry, const char* what);
    std::string take(char* pluginString);

    std::shared_ptr<Plugin> _plugin;
    std::string _flowName;
    std::unique_ptr<ProfileHost> _host;
    void* _instance = nullptr;
};

} // namespace TokenBroker
