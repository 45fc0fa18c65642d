#include "Clock.h"

#include <chrono>

namespace TokenBroker::Emulator {

std::int64_t Clock::nowMillis() const
{
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::milliseconds>(now).count() + _offsetMillis.load();
}

std::int64_t Clock::nowSeconds() const
{
    return nowMillis() / 1000;
}

void Clock::advance(std::int64_t seconds)
{
    _offsetMillis += seconds * 1000;
}

void Clock::reset()
{
    _offsetMillis = 0;
}

} // namespace TokenBroker::Emulator
