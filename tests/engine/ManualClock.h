#pragma once

#include "Clock.h"

#include <atomic>
#include <chrono>
#include <cstdint>

namespace TokenBroker::Test {

/// A wall clock that moves only when a test says so.
class ManualClock : public Clock
{
public:
    explicit ManualClock(std::int64_t startMs = 1'800'000'000'000) : _ms(startMs) {}

    std::int64_t nowMs() const override { return _ms.load(); }
    void advance(std::chrono::milliseconds by) { _ms += by.count(); }
    void set(std::int64_t ms) { _ms = ms; }

private:
    std::atomic<std::int64_t> _ms;
};

} // namespace TokenBroker::Test
