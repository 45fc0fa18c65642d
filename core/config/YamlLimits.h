#pragma once

#include "Diagnostics.h"

#include <cstddef>
#include <string>

namespace YAML {
class EventHandler;
}

namespace TokenBroker {

/// How large a configuration may be. A configuration is written by people,
/// so each bound is far above any real one; together they keep a careless or
/// hostile file (an alias bomb, megabytes of keys, a value the size of a
/// disk) from exhausting the memory of the daemon that reloads it.
struct YamlLimits
{
    std::size_t fileBytes = 16 * 1024 * 1024;   ///< the file as read (10,000 profiles take about 3 MiB)
    int depth = 32;                             ///< mappings and lists inside each other
    std::size_t keyBytes = 256;                 ///< one mapping key
    std::size_t scalarBytes = 64 * 1024;        ///< one value (a PEM key is a few KiB)
    std::size_t expandedNodes = 500000;         ///< values once every alias is expanded
    std::size_t expandedBytes = 32 * 1024 * 1024; ///< text once every alias is expanded
};

/// Walks `text` as a stream of parser events, which never expands an alias,
/// and reports the first bound it exceeds (or the YAML syntax error it
/// meets) at its file:line:col. True when the text is within every bound,
/// so that yaml-cpp may build a node tree from it and code may walk or
/// dump that tree without its aliases multiplying it.
bool checkYamlLimits(const std::string& text, const std::string& displayName, Diagnostics& diagnostics,
                     const YamlLimits& limits = YamlLimits());

/// checkYamlLimits, handing each event that is within the bounds on to
/// `consumer` (if not null) in the same pass: what the consumer builds
/// stops where the first bound is crossed, so it never outgrows them.
bool readYamlWithinLimits(const std::string& text, const std::string& displayName, Diagnostics& diagnostics,
                          YAML::EventHandler* consumer, const YamlLimits& limits = YamlLimits());

/// "1.5 MiB", "700 KiB", "12 bytes": sizes in messages.
std::string describeBytes(std::size_t bytes);

} // namespace TokenBroker
