#pragma once

#include "DaemonView.h"
#include "ProfileView.h"

#include <cstdint>
#include <string>
#include <vector>

namespace TokenBroker {

/// GET /: one self-contained HTML page (no external assets) that reloads
/// itself every 10 s: version, uptime, configuration and last reload; per
/// profile its state in colour, the time to expiry counting down, the next
/// refresh, an attempt in flight, the last error, outputs and the plugin's
/// facts; links to /metrics and /v1/profiles. Every text from a profile or
/// plugin is escaped.
std::string statusPage(const std::vector<ProfileView>& views, const DaemonView& daemon, std::int64_t nowMs);

} // namespace TokenBroker
