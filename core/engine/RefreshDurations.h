#pragma once

#include <array>
#include <cstdint>

namespace TokenBroker {

/// How long renewals took, as a Prometheus histogram: a count per upper
/// bound (not cumulative; the exporter sums them), the sum and the count.
struct RefreshDurations
{
    /// Upper bounds in seconds: from a fast loopback answer to the longest
    /// request deadline, with +Inf after them.
    static constexpr std::array<double, 11> bounds{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    std::array<std::uint64_t, bounds.size() + 1> counts{};  ///< the last one: beyond every bound
    double sumSeconds = 0;
    std::uint64_t count = 0;

    void record(double seconds)
    {
        std::size_t bucket = 0;
        while (bucket < bounds.size() && seconds > bounds[bucket])
            ++bucket;
        ++counts[bucket];
        sumSeconds += seconds;
        ++count;
    }
};

} // namespace TokenBroker
