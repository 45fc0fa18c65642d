#include "HostileInput.h"

#include <algorithm>

namespace TokenBroker::Test {

std::string yamlAliasBomb()
{
    std::string yaml = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (char level = 'b'; level <= 'i'; ++level)
    {
        const char previous = static_cast<char>(level - 1);
        yaml += std::string(1, level) + ": &" + level + " [";
        for (int i = 0; i < 9; ++i)
            yaml += std::string(i ? ", " : "") + "*" + previous;
        yaml += "]\n";
    }
    return yaml;
}

std::string aliasBombPosition(const std::string& prefix)
{
    const auto lines = std::count(prefix.begin(), prefix.end(), '\n');
    return std::to_string(lines + 6) + ":32";
}

} // namespace TokenBroker::Test
