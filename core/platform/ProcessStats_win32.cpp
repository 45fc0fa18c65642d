#include "ProcessStats.h"

#include <windows.h>
#include <psapi.h>

namespace TokenBroker {

namespace {

/// FILETIME (100 ns since 1601) as Unix seconds.
double unixSeconds(const FILETIME& time)
{
    ULARGE_INTEGER ticks;
    ticks.LowPart = time.dwLowDateTime;
    ticks.HighPart = time.dwHighDateTime;
    constexpr double ticksPerSecond = 1e7;
    constexpr double from1601To1970 = 11644473600.0;
    return static_cast<double>(ticks.QuadPart) / ticksPerSecond - from1601To1970;
}

} // namespace

ProcessStats currentProcessStats()
{
    ProcessStats stats;
    HANDLE self = ::GetCurrentProcess();
    FILETIME created, exited, kernel, user;
    if (::GetProcessTimes(self, &created, &exited, &kernel, &user))
        stats.startTimeSeconds = unixSeconds(created);
    PROCESS_MEMORY_COUNTERS memory{};
    if (::GetProcessMemoryInfo(self, &memory, sizeof memory))
        stats.residentBytes = memory.WorkingSetSize;
    // A running process always holds handles: an answer of 0 (wine's) is no
    // count, and the metric is left out rather than reported as 0.
    DWORD handles = 0;
    if (::GetProcessHandleCount(self, &handles) && handles > 0)
        stats.openDescriptors = handles;
    return stats;
}

} // namespace TokenBroker
