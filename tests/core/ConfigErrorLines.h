#pragma once

#include "ConfigLoader.h"

#include <string>
#include <vector>

namespace TokenBroker::Test {

/// Every "test.yaml:LINE:COL: error: ..." loading `yaml` gives (relative
/// paths in it against /etc/tb), nothing when it loads.
inline std::vector<std::string> configErrorLines(const std::string& yaml)
{
    try
    {
        ConfigLoader::loadString(yaml, "test.yaml", "/etc/tb");
    }
    catch (const ConfigErrors& e)
    {
        std::vector<std::string> lines;
        for (const auto& error : e.errors())
            lines.push_back(error.what());
        return lines;
    }
    return {};
}

} // namespace TokenBroker::Test
