#include "SettingsBinder.h"

#include "SecretReference.h"
#include "Suggest.h"
#include "YamlReader.h"

#include <Poco/Environment.h>
#include <Poco/JSON/Array.h>

namespace TokenBroker {

namespace {

Poco::Dynamic::Var yamlToJson(const ConfigNode& node)
{
    if (node.isMap())
    {
        Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
        for (auto it = node.begin(); it != node.end(); ++it)
            object->set(it->first.scalar(), yamlToJson(it->second));
        return object;
    }
    if (node.isSequence())
    {
        Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
        for (const auto& item : node)
            array->add(yamlToJson(item));
        return array;
    }
    if (node.isScalar())
        return node.scalar();
    return Poco::Dynamic::Var();
}

std::optional<Poco::Dynamic::Var> convert(const ConfigNode& value, const std::string& key, const SettingSchema& setting,
                                          const ProfileSpec& profile, YamlReader& reader, ReferencedFiles* files)
{
    const std::string what = "'" + key + "'";
    switch (setting.type)
    {
    case SettingSchema::Type::String:
    case SettingSchema::Type::Secret:
        if (auto text = resolveReference(value, what, profile.baseDirectory,
                                         setting.type == SettingSchema::Type::Secret, reader, files))
        {
            if (text->empty())
            {
                reader.error(value, what + " must not be empty");
                return std::nullopt;
            }
            return Poco::Dynamic::Var(*text);
        }
        return std::nullopt;
    case SettingSchema::Type::Boolean:
        if (auto b = reader.boolean(value, what))
            return Poco::Dynamic::Var(*b);
        return std::nullopt;
    case SettingSchema::Type::Integer:
        if (auto i = reader.integer(value, what))
            return Poco::Dynamic::Var(static_cast<Poco::Int64>(*i));
        return std::nullopt;
    case SettingSchema::Type::Duration:
        if (auto d = reader.duration(value, what))
            return Poco::Dynamic::Var(static_cast<Poco::Int64>(*d));
        return std::nullopt;
    case SettingSchema::Type::Object:
        if (!value.isMap())
        {
            reader.error(value, what + " must be a mapping");
            return std::nullopt;
        }
        return yamlToJson(value);
    case SettingSchema::Type::List:
        if (!value.isSequence())
        {
            reader.error(value, what + " must be a list");
            return std::nullopt;
        }
        return yamlToJson(value);
    }
    return std::nullopt;
}

} // namespace

std::string deriveWwwBaseUrl(const ProfileSpec& profile)
{
    if (!profile.wwwBaseUrl.empty())
        return profile.wwwBaseUrl;
    if (profile.baseUrl == "https://api.coze.cn")
        return "https://www.coze.cn";
    if (profile.baseUrl == "https://api.coze.com")
        return "https://www.coze.com";
    return profile.baseUrl;
}

SourceLocation locateSetting(const ProfileSpec& profile, const std::string& key)
{
    auto it = profile.settings.find(key);
    if (it != profile.settings.end())
        return it->second.valueLocation;
    return profile.location;
}

Poco::JSON::Object::Ptr bindSettings(const ProfileSpec& profile, const FlowSchema& schema, Diagnostics& diagnostics,
                                     ReferencedFiles* files)
{
    YamlReader reader(profile.location.file, diagnostics);
    Poco::JSON::Object::Ptr settings = new Poco::JSON::Object;
    const std::vector<std::string> known = schema.keys();
    for (const auto& [key, entry] : profile.settings)
    {
        const SettingSchema* setting = schema.find(key);
        if (!setting)
        {
            // Defaults are shared by profiles of different flows: a default
            // that this flow does not use is not an error.
            if (!entry.fromDefaults)
                diagnostics.error(entry.keyLocation, "unknown key '" + key + "' for flow '" + profile.flow + "' in profile '" +
                                                         profile.name + "'" + didYouMean(key, known));
            continue;
        }
        if (auto value = convert(entry.value, key, *setting, profile, reader, files))
            settings->set(key, *value);
    }
    for (const auto& [key, setting] : schema.settings())
    {
        if (settings->has(key) || profile.settings.count(key))
            continue;
        if (!setting.env.empty() && Poco::Environment::has(setting.env) && !Poco::Environment::get(setting.env).empty())
        {
            const ConfigNode fromEnv = ConfigNode::fromText(Poco::Environment::get(setting.env));
            if (auto value = convert(fromEnv, key, setting, profile, reader, files))
                settings->set(key, *value);
        }
        else if (setting.required)
        {
            diagnostics.error(profile.location,
                              "profile '" + profile.name + "' (flow " + profile.flow + ") needs '" + key + "'" +
                                  (setting.env.empty() ? std::string() : " (or the environment variable " + setting.env + ")"));
        }
    }
    settings->set("profile", profile.name);
    settings->set("base_url", profile.baseUrl);
    settings->set("www_base_url", deriveWwwBaseUrl(profile));
    return settings;
}

} // namespace TokenBroker
