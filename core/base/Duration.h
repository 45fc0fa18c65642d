#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace TokenBroker {

/// Parses "900", "90s", "15m", "1h", "1d" or combinations such as "1h30m"
/// into seconds. Returns nothing for anything else (negative, empty, junk,
/// overflow).
std::optional<std::int64_t> parseDuration(const std::string& text);

/// Renders seconds the way parseDuration reads them ("1h30m", "45s").
std::string formatDuration(std::int64_t seconds);

} // namespace TokenBroker
