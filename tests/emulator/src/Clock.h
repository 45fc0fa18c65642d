#pragma once

#include <atomic>
#include <cstdint>

namespace TokenBroker::Emulator {

/// Wall clock of the emulator. Tests can move it forward through the control
/// API so that expiry rules (codes, device codes, refresh tokens) are testable
/// without sleeping; every time-dependent rule reads this clock.
class Clock
{
public:
    /// Unix time in milliseconds, including the offset.
    std::int64_t nowMillis() const;
    /// Unix time in whole seconds, including the offset.
    std::int64_t nowSeconds() const;

    void advance(std::int64_t seconds);
    void reset();

private:
    std::atomic<std::int64_t> _offsetMillis{0};
};

} // namespace TokenBroker::Emulator
