#include "YamlConfiguration.h"

#include <Poco/StringTokenizer.h>

#include <cstdlib>
#include <set>

namespace TokenBroker {

YamlConfiguration::YamlConfiguration(const ConfigNode& root)
    : _root(root)
{
}

ConfigNode YamlConfiguration::find(const std::string& key) const
{
    ConfigNode current = _root;
    if (key.empty())
        return current;
    Poco::StringTokenizer parts(key, ".");
    for (const auto& part : parts)
    {
        if (current.isMap())
            current = current[part];
        else if (current.isSequence())
        {
            char* end = nullptr;
            const unsigned long index = std::strtoul(part.c_str(), &end, 10);
            if (part.empty() || *end != '\0' || index >= current.size())
                return ConfigNode();
            current = current[static_cast<std::size_t>(index)];
        }
        else
            return ConfigNode();
        if (!current.isDefined())
            return ConfigNode();
    }
    return current;
}

bool YamlConfiguration::getRaw(const std::string& key, std::string& value) const
{
    auto overridden = _overrides.find(key);
    if (overridden != _overrides.end())
    {
        value = overridden->second;
        return true;
    }
    ConfigNode node = find(key);
    if (!node.isDefined() || !node.isScalar())
        return false;
    value = node.scalar();
    return true;
}

void YamlConfiguration::setRaw(const std::string& key, const std::string& value)
{
    _overrides[key] = value;
}

void YamlConfiguration::removeRaw(const std::string& key)
{
    _overrides.erase(key);
}

void YamlConfiguration::enumerate(const std::string& key, Keys& range) const
{
    std::set<std::string> names;
    ConfigNode node = find(key);
    if (node.isMap())
    {
        for (auto it = node.begin(); it != node.end(); ++it)
            names.insert(it->first.scalar());
    }
    else if (node.isSequence())
    {
        for (std::size_t i = 0; i < node.size(); ++i)
            names.insert(std::to_string(i));
    }
    const std::string prefix = key.empty() ? std::string() : key + ".";
    for (const auto& [overrideKey, value] : _overrides)
    {
        if (overrideKey.compare(0, prefix.size(), prefix) == 0)
        {
            std::string rest = overrideKey.substr(prefix.size());
            names.insert(rest.substr(0, rest.find('.')));
        }
    }
    range.assign(names.begin(), names.end());
}

} // namespace TokenBroker
