#include "YamlReader.h"

#include "Duration.h"
#include "Suggest.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <set>

namespace TokenBroker {

YamlReader::YamlReader(std::string file, Diagnostics& diagnostics)
    : _file(std::move(file))
    , _diagnostics(diagnostics)
{
}

SourceLocation YamlReader::locate(const ConfigNode& node) const
{
    const YAML::Mark mark = node.mark();
    if (mark.is_null())
        return SourceLocation{_file, 0, 0};
    return SourceLocation{_file, mark.line + 1, mark.column + 1};
}

void YamlReader::error(const ConfigNode& node, const std::string& message)
{
    _diagnostics.error(locate(node), message);
}

namespace {

/// YAML 1.1's booleans as yaml-cpp reads them: y/n, yes/no, true/false,
/// on/off, in lower case, upper case or with a capital first letter.
std::optional<bool> yamlBoolean(const std::string& text)
{
    auto lowerOnly = [](const std::string& part) {
        return std::all_of(part.begin(), part.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    };
    auto upperOnly = [](const std::string& part) {
        return std::all_of(part.begin(), part.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    };
    const std::string rest = text.empty() ? std::string() : text.substr(1);
    const bool flexibleCase = lowerOnly(text) || (!text.empty() && upperOnly(text.substr(0, 1)) &&
                                                  (lowerOnly(rest) || upperOnly(rest)));
    if (!flexibleCase)
        return std::nullopt;
    std::string lower;
    for (char c : text)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [yes, no] : {std::pair<const char*, const char*>{"y", "n"}, {"yes", "no"}, {"true", "false"},
                                  {"on", "off"}})
    {
        if (lower == yes)
            return true;
        if (lower == no)
            return false;
    }
    return std::nullopt;
}

const char* kindName(const ConfigNode& node)
{
    switch (node.kind())
    {
    case ConfigNode::Kind::Null: return "nothing";
    case ConfigNode::Kind::Scalar: return "a scalar";
    case ConfigNode::Kind::Sequence: return "a list";
    case ConfigNode::Kind::Map: return "a mapping";
    default: return "an undefined value";
    }
}

} // namespace

std::optional<std::string> YamlReader::string(const ConfigNode& node, const std::string& what)
{
    if (!node.isScalar())
    {
        error(node, what + " must be a string, not " + kindName(node));
        return std::nullopt;
    }
    return node.scalar();
}

std::optional<bool> YamlReader::boolean(const ConfigNode& node, const std::string& what)
{
    if (node.isScalar())
    {
        if (auto value = yamlBoolean(node.scalar()))
            return value;
    }
    error(node, what + " must be true or false");
    return std::nullopt;
}

std::optional<std::int64_t> YamlReader::integer(const ConfigNode& node, const std::string& what)
{
    if (node.isScalar())
    {
        const std::string& text = node.scalar();
        char* end = nullptr;
        errno = 0;
        long long value = std::strtoll(text.c_str(), &end, 10);
        if (!text.empty() && *end == '\0' && errno == 0)
            return value;
    }
    error(node, what + " must be an integer");
    return std::nullopt;
}

std::optional<double> YamlReader::number(const ConfigNode& node, const std::string& what)
{
    if (node.isScalar())
    {
        const std::string& text = node.scalar();
        char* end = nullptr;
        errno = 0;
        double value = std::strtod(text.c_str(), &end);
        if (!text.empty() && *end == '\0' && errno == 0)
            return value;
    }
    error(node, what + " must be a number");
    return std::nullopt;
}

std::optional<std::int64_t> YamlReader::duration(const ConfigNode& node, const std::string& what)
{
    if (node.isScalar())
    {
        if (auto seconds = parseDuration(node.scalar()))
            return seconds;
    }
    error(node, what + " must be a duration: seconds, or a number with s, m, h or d (e.g. 90s, 15m, 1h)");
    return std::nullopt;
}

std::optional<std::vector<std::string>> YamlReader::stringList(const ConfigNode& node, const std::string& what,
                                                               bool allowSingle)
{
    if (allowSingle && node.isScalar())
        return std::vector<std::string>{node.scalar()};
    if (!node.isSequence())
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

bool YamlReader::forEachKey(const ConfigNode& map, const std::string& what, const std::vector<std::string>& known,
                            const KeyHandler& handler, const KeyHandler& unknown)
{
    if (!map.isMap())
    {
        error(map, what + " must be a mapping of keys to values, not " + kindName(map));
        return false;
    }
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it)
    {
        const ConfigNode keyNode = it->first;
        if (!keyNode.isScalar())
        {
            error(keyNode, "keys in " + what + " must be plain strings");
            continue;
        }
        const std::string key = keyNode.scalar();
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
