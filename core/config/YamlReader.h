#pragma once

#include "Diagnostics.h"

#include "ConfigNode.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace TokenBroker {

/// Typed, located access to configuration nodes: every failed conversion becomes a
/// ConfigError at the node's file:line:col in the shared Diagnostics, and the
/// caller gets an empty optional and carries on, so one pass reports every
/// problem in a file.
class YamlReader
{
public:
    YamlReader(std::string file, Diagnostics& diagnostics);

    const std::string& file() const { return _file; }
    Diagnostics& diagnostics() { return _diagnostics; }

    SourceLocation locate(const ConfigNode& node) const;
    void error(const ConfigNode& node, const std::string& message);

    std::optional<std::string> string(const ConfigNode& node, const std::string& what);
    std::optional<bool> boolean(const ConfigNode& node, const std::string& what);
    std::optional<std::int64_t> integer(const ConfigNode& node, const std::string& what);
    std::optional<double> number(const ConfigNode& node, const std::string& what);
    /// Integer seconds or "90s", "15m", "1h", "1d".
    std::optional<std::int64_t> duration(const ConfigNode& node, const std::string& what);
    /// A list of strings; a single string is accepted as a list of one when allowSingle.
    std::optional<std::vector<std::string>> stringList(const ConfigNode& node, const std::string& what,
                                                       bool allowSingle = false);

    using KeyHandler = std::function<void(const std::string& key, const ConfigNode& keyNode,
                                          const ConfigNode& value)>;

    /// Visits each key of a mapping once. Keys not in `known` are reported as
    /// unknown (with a suggestion) unless `unknown` is given, which then
    /// receives them. Duplicate keys are reported. False if `map` is not a map.
    bool forEachKey(const ConfigNode& map, const std::string& what, const std::vector<std::string>& known,
                    const KeyHandler& handler, const KeyHandler& unknown = nullptr);

private:
    std::string _file;
    Diagnostics& _diagnostics;
};

} // namespace TokenBroker
