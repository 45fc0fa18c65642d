#pragma once

#include <cstdint>
#include <string>

namespace TokenBroker {

/// The daemon as a whole, for the status page and the metrics.
struct DaemonView
{
    std::string configPath;
    std::int64_t startedMs = 0;        ///< Unix ms the daemon started
    std::uint64_t reloadsOk = 0;
    std::uint64_t reloadsFailed = 0;
    std::int64_t lastReloadMs = 0;     ///< Unix ms of the last reload; 0 = none yet
    bool lastReloadOk = true;
    std::string lastReloadError;       ///< why the last reload failed (file:line:col ...)
};

} // namespace TokenBroker
