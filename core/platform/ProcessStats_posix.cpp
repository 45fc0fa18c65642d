#include "ProcessStats.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace TokenBroker {

namespace {

/// /proc/stat's btime: the boot time in Unix seconds.
std::optional<double> bootTime()
{
    std::ifstream stat("/proc/stat");
    std::string key;
    while (stat >> key)
    {
        if (key == "btime")
        {
            double seconds = 0;
            if (stat >> seconds)
                return seconds;
            return std::nullopt;
        }
        stat.ignore(1 << 20, '\n');
    }
    return std::nullopt;
}

/// Field 22 of /proc/self/stat: the start in clock ticks after boot. The
/// command name (field 2) may hold spaces and parentheses, so the fields are
/// counted after its last ')'.
std::optional<double> startTicksAfterBoot()
{
    std::ifstream file("/proc/self/stat");
    std::string line;
    if (!std::getline(file, line))
        return std::nullopt;
    const auto end = line.rfind(')');
    if (end == std::string::npos)
        return std::nullopt;
    std::istringstream fields(line.substr(end + 1));
    std::string field;
    for (int index = 3; fields >> field; ++index)
    {
        if (index == 22)
            return std::stod(field);
    }
    return std::nullopt;
}

std::optional<std::uint64_t> residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    if (!(statm >> size >> resident))
        return std::nullopt;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::optional<std::uint64_t> openDescriptors()
{
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir)
        return std::nullopt;
    std::uint64_t count = 0;
    while (const dirent* entry = ::readdir(dir))
    {
        if (entry->d_name[0] != '.')
            ++count;
    }
    ::closedir(dir);
    return count - 1;  // the descriptor opendir itself holds
}

} // namespace

ProcessStats currentProcessStats()
{
    ProcessStats stats;
    const auto boot = bootTime();
    const auto ticks = startTicksAfterBoot();
    const long ticksPerSecond = ::sysconf(_SC_CLK_TCK);
    if (boot && ticks && ticksPerSecond > 0)
        stats.startTimeSeconds = *boot + *ticks / static_cast<double>(ticksPerSecond);
    stats.residentBytes = residentBytes();
    stats.openDescriptors = openDescriptors();
    return stats;
}

} // namespace TokenBroker
