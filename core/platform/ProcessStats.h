#pragma once

#include <cstdint>
#include <optional>

namespace TokenBroker {

/// What the operating system says about this process, for the Prometheus
/// process_* metrics. Each is empty when the system does not tell.
struct ProcessStats
{
    std::optional<double> startTimeSeconds;       ///< Unix seconds the process started
    std::optional<std::uint64_t> residentBytes;   ///< resident set size (Windows: working set)
    std::optional<std::uint64_t> openDescriptors; ///< open file descriptors (Windows: handles)
};

ProcessStats currentProcessStats();

} // namespace TokenBroker
