#include "YamlReader.h"

#include "Duration.h"
#include "Suggest.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>

namespace TokenBroker {

YamlReader::YamlReader(std::string file, Diagnostics& diagnostics)
    : _file(std::move(file))
    , _diagnostics(diagnostics)
{
}

SourceLocation YamlReader::locate(const YAML::Node& node) const
{
    const YAML::Mark mark = node.Mark();
    if (mark.is_null())
        return SourceLocation{_file, 0, 0};
    return SourceLocation{_file, mark.line + 1, mark.column + 1};
}

void YamlReader::error(const YAML::Node& node, const std::string& message)
{
    _diagnostics.error(locate(node), message);
}

namespace {

const char* kindName(const YAML::Node& node)
{
    switch (node.Type())
    {
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    default: return "an undefined value";
    }
}

} // namespace

std::optional<std::string> YamlReader::string(const YAML::Node& node, const std::string& what)
{
    if (!node.IsScalar())
    {
        error(node, what + " must be a string, not " + kindName(node));
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<bool> YamlReader::boolean(const YAML::Node& node, const std::string& what)
{
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value))
    {
        error(node, what + " must be true or false");
        return std::nullopt;
    }
    return value;
}

std::optional<std::int64_t> YamlReader::integer(const YAML::Node& node, const std::string& what)
{
    if (node.IsScalar())
    {
        const std::string& text = node.Scalar();
        char* end = nullptr;
        errno = 0;
        long long value = std::strtoll(text.c_str(), &end, 10);
        if (!text.empty() && *end == '\0' && errno == 0)
            return value;
    }
    error(node, what + " must be an integer");
    return std::nullopt;
}

std::optional<double> YamlReader::number(const YAML::Node& node, const std::string& what)
{
    if (node.IsScalar())
    {
        const std::string& text = node.Scalar();
        char* end = nullptr;
        errno = 0;
        double value = std::strtod(text.c_str(), &end);
        if (!text.empty() && *end == '\0' && errno == 0)
            return value;
    }
    error(node, what + " must be a number");
    return std::nullopt;
}

std::optional<std::int64_t> YamlReader::duration(const YAML::Node& node, const std::string& what)
{
    if (node.IsScalar())
    {
        if (auto seconds = parseDuration(node.Scalar()))
            return seconds;
    }
    error(node, what + " must be a duration: seconds, or a number with s, m, h or d (e.g. 90s, 15m, 1h)");
    return std::nullopt;
}

std::optional<std::vector<std::string>> YamlReader::stringList(const YAML::Node& node, const std::string& what,
                                                               bool allowSingle)
{
    if (allowSingle && node.IsScalar())
        return std::vector<std::string>{node.Scalar()};
    if (!node.IsSequence())
    {
        error(node, what + " must be a list of strings");
        return std::nullopt;
    }
    std::vector<std::string> items;
    bool ok = true;
    for (const auto& item : node)
    {
        if (auto s = string(item, what + " entry"))
            items.push_back(*s);
        else
            ok = false;
    }
    if (!ok)
        return std::nullopt;
    return items;
}

bool YamlReader::forEachKey(const YAML::Node& map, const std::string& what, const std::vector<std::string>& known,
                            const KeyHandler& handler, const KeyHandler& unknown)
{
    if (!map.IsMap())
    {
        error(map, what + " must be a mapping of keys to values, not " + kindName(map));
        return false;
    }
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it)
    {
        // A copy, not a reference: yaml-cpp's it->first lives in a temporary
        // proxy that is gone by the next statement.
        const YAML::Node keyNode = it->first;
        if (!keyNode.IsScalar())
        {
            error(keyNode, "keys in " + what + " must be plain strings");
            continue;
        }
        const std::string key = keyNode.Scalar();
        if (!seen.insert(key).second)
        {
            error(keyNode, "duplicate key '" + key + "' in " + what);
            continue;
        }
        if (std::find(known.begin(), known.end(), key) != known.end())
            handler(key, keyNode, it->second);
        else if (unknown)
            unknown(key, keyNode, it->second);
        else
            error(keyNode, "unknown key '" + key + "' in " + what + didYouMean(key, known));
    }
    return true;
}

} // namespace TokenBroker
