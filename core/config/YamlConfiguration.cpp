#include "YamlConfiguration.h"

#include <Poco/StringTokenizer.h>

#include <cstdlib>
#include <set>

namespace TokenBroker {

YamlConfiguration::YamlConfiguration(const YAML::Node& root)
    : _root(YAML::Clone(root))
{
}

YAML::Node YamlConfiguration::find(const std::string& key) const
{
    // yaml-cpp pitfalls: operator[] on a non-const node inserts missing keys,
    // and assigning one Node to another overwrites the referenced value, so
    // navigate through const references and re-seat handles with reset().
    YAML::Node current;
    current.reset(_root);
    if (key.empty())
        return current;
    Poco::StringTokenizer parts(key, ".");
    for (const auto& part : parts)
    {
        const YAML::Node& view = current;
        YAML::Node next(YAML::NodeType::Undefined);
        if (view.IsMap())
        {
            // A missing key yields an invalid "zombie" node that reset() rejects.
            const YAML::Node child = view[part];
            if (!child.IsDefined())
                return YAML::Node(YAML::NodeType::Undefined);
            next.reset(child);
        }
        else if (view.IsSequence())
        {
            char* end = nullptr;
            unsigned long index = std::strtoul(part.c_str(), &end, 10);
            if (part.empty() || *end != '\0' || index >= view.size())
                return YAML::Node(YAML::NodeType::Undefined);
            next.reset(view[index]);
        }
        if (!next.IsDefined())
            return YAML::Node(YAML::NodeType::Undefined);
        current.reset(next);
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
    YAML::Node node = find(key);
    if (!node.IsDefined() || !node.IsScalar())
        return false;
    value = node.Scalar();
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
    YAML::Node node = find(key);
    if (node.IsMap())
    {
        for (auto it = node.begin(); it != node.end(); ++it)
            names.insert(it->first.Scalar());
    }
    else if (node.IsSequence())
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
