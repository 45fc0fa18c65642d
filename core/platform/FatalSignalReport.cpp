#include "FatalSignalReport.h"
#include "LastWords.h"

#include <algorithm>
#include <cstdio>

namespace TokenBroker {

namespace LastWords {

thread_local char text[512];
thread_local std::size_t length = 0;

} // namespace LastWords

PluginCallScope::PluginCallScope(const std::string& plugin, const std::string& flow, const std::string& profile,
                                 const char* call)
{
    const int n = std::snprintf(LastWords::text, sizeof LastWords::text,
                                " in plugin %s (flow %s, profile %s, %s); the process dies: remove or fix that plugin\n",
                                plugin.c_str(), flow.c_str(), profile.c_str(), call);
    LastWords::length = n < 0 ? 0 : std::min(static_cast<std::size_t>(n), sizeof LastWords::text - 1);
}

PluginCallScope::~PluginCallScope()
{
    LastWords::length = 0;
}

} // namespace TokenBroker
