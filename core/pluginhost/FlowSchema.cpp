#include "FlowSchema.h"

#include <Poco/JSON/Parser.h>

#include <stdexcept>

namespace TokenBroker {

namespace {

SettingSchema::Type parseType(const std::string& key, const std::string& name)
{
    static const std::map<std::string, SettingSchema::Type> types = {
        {"string", SettingSchema::Type::String},   {"secret", SettingSchema::Type::Secret},
        {"boolean", SettingSchema::Type::Boolean}, {"integer", SettingSchema::Type::Integer},
        {"duration", SettingSchema::Type::Duration}, {"object", SettingSchema::Type::Object},
        {"list", SettingSchema::Type::List}};
    auto it = types.find(name);
    if (it == types.end())
        throw std::invalid_argument("setting '" + key + "' has unknown type '" + name + "'");
    return it->second;
}

} // namespace

FlowSchema FlowSchema::parse(const std::string& json)
{
    Poco::JSON::Object::Ptr root;
    try
    {
        root = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    }
    catch (const Poco::Exception& e)
    {
        throw std::invalid_argument("settings schema is not a JSON object: " + e.displayText());
    }
    FlowSchema schema;
    for (const auto& [key, value] : *root)
    {
        if (key == "profile" || key == "base_url" || key == "www_base_url")
            throw std::invalid_argument("setting '" + key + "' is reserved for the host");
        Poco::JSON::Object::Ptr entry = value.type() == typeid(Poco::JSON::Object::Ptr)
                                            ? value.extract<Poco::JSON::Object::Ptr>()
                                            : nullptr;
        if (!entry)
            throw std::invalid_argument("setting '" + key + "' must be described by a JSON object");
        SettingSchema setting;
        setting.type = parseType(key, entry->optValue<std::string>("type", "string"));
        setting.required = entry->optValue<bool>("required", false);
        setting.env = entry->optValue<std::string>("env", "");
        setting.summary = entry->optValue<std::string>("summary", "");
        schema._settings[key] = setting;
    }
    return schema;
}

const SettingSchema* FlowSchema::find(const std::string& key) const
{
    auto it = _settings.find(key);
    return it == _settings.end() ? nullptr : &it->second;
}

std::vector<std::string> FlowSchema::keys() const
{
    std::vector<std::string> names;
    for (const auto& [key, setting] : _settings)
        names.push_back(key);
    return names;
}

} // namespace TokenBroker
