#include "SecretReference.h"

#include "ConfigLoader.h"

#include <Poco/Environment.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace TokenBroker {

namespace {

std::optional<std::string> readSecretFile(const std::string& path, const YAML::Node& node, const std::string& what,
                                          YamlReader& reader)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        reader.error(node, "cannot read " + what + " from file " + path + ": " + std::strerror(errno));
        return std::nullopt;
    }
    std::ostringstream content;
    content << in.rdbuf();
    std::string text = content.str();
    if (!text.empty() && text.back() == '\n')
        text.pop_back();
    if (!text.empty() && text.back() == '\r')
        text.pop_back();
    if (text.empty())
    {
        reader.error(node, "file " + path + " for " + what + " is empty");
        return std::nullopt;
    }
    return text;
}

} // namespace

std::optional<std::string> resolveReference(const YAML::Node& value, const std::string& what,
                                            const std::string& baseDirectory, YamlReader& reader)
{
    if (value.IsScalar())
        return value.Scalar();
    if (!value.IsMap() || value.size() != 1)
    {
        reader.error(value, what + " must be a string, {file: PATH} or {env: NAME}");
        return std::nullopt;
    }
    const auto entry = value.begin();
    const std::string kind = entry->first.IsScalar() ? entry->first.Scalar() : std::string();
    auto target = reader.string(entry->second, what + " " + kind);
    if (!target)
        return std::nullopt;
    if (kind == "file")
        return readSecretFile(ConfigLoader::resolvePath(*target, baseDirectory), entry->second, what, reader);
    if (kind == "env")
    {
        if (!Poco::Environment::has(*target) || Poco::Environment::get(*target).empty())
        {
            reader.error(entry->second, "environment variable " + *target + " (for " + what + ") is not set");
            return std::nullopt;
        }
        return Poco::Environment::get(*target);
    }
    reader.error(entry->first, what + ": unknown reference '" + kind + "'; use {file: PATH} or {env: NAME}");
    return std::nullopt;
}

} // namespace TokenBroker
