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

/// A Unix time in UTC as ISO 8601 with seconds, "2026-12-07T12:00:00Z": how
/// every expiry and next refresh is shown (logs, status, pages, outputs).
std::string formatUtcTime(std::int64_t unixSeconds);

} // namespace TokenBroker
