#pragma once

#include <cstdint>

namespace TokenBroker {

/// Wall-clock time, replaceable so tests can jump it.
class Clock
{
public:
    virtual ~Clock() = default;
    /// Unix epoch milliseconds.
    virtual std::int64_t nowMs() const = 0;
    std::int64_t nowSeconds() const { return nowMs() / 1000; }

    /// The process-wide clock: the system clock, shifted by
    /// $TOKENBROKER_TEST_CLOCK_OFFSET_FILE's content (seconds) when that
    /// variable is set — a seam for clock-jump tests of the real daemon.
    static const Clock& system();
};

} // namespace TokenBroker
