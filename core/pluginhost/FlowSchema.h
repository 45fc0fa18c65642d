#pragma once

#include <map>
#include <string>
#include <vector>

namespace TokenBroker {

/// One declared setting of a flow (see tokenbroker_flow::settings_schema).
struct SettingSchema
{
    enum class Type { String, Secret, Boolean, Integer, Duration, Object, List };

    Type type = Type::String;
    bool required = false;
    std::string env;       ///< conventional variable read when the key is absent
    std::string summary;
};

/// The settings a flow accepts, parsed from the plugin's JSON schema.
class FlowSchema
{
public:
    /// Throws std::invalid_argument with a precise message on a malformed schema.
    static FlowSchema parse(const std::string& json);

    const std::map<std::string, SettingSchema>& settings() const { return _settings; }
    const SettingSchema* find(const std::string& key) const;
    std::vector<std::string> keys() const;

private:
    std::map<std::string, SettingSchema> _settings;
};

} // namespace TokenBroker
