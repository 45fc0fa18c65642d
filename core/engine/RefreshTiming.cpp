#include "RefreshTiming.h"

#include "TokenRules.h"

#include <algorithm>
#include <limits>

namespace TokenBroker {

RefreshTiming::RefreshTiming(RefreshPolicy policy)
    : _policy(policy)
    , _random(std::random_device{}())
{
}

std::int64_t RefreshTiming::renewAt(std::int64_t obtainedAt, std::int64_t expiresAt) const
{
    if (expiresAt == 0)
        return std::numeric_limits<std::int64_t>::max();
    // Saturating: tokens are checked (TokenRules.h), but this arithmetic
    // must not overflow whatever it is given.
    const std::int64_t seconds =
        expiresAt <= obtainedAt ? 0 : std::min<std::int64_t>(expiresAt - obtainedAt, kMaxTokenLifetimeSeconds);
    const double lifetime = static_cast<double>(seconds);
    const std::int64_t at = obtainedAt * 1000 + static_cast<std::int64_t>(lifetime * 1000.0 * _policy.at);
    return std::max(at, obtainedAt * 1000 + 1000);
}

std::int64_t RefreshTiming::retryDelay(int failures, std::int64_t retryAfterSeconds)
{
    const std::int64_t minMs = _policy.minBackoff * 1000;
    const std::int64_t maxMs = _policy.maxBackoff * 1000;
    std::int64_t cap = minMs;
    for (int i = 1; i < failures && cap < maxMs; ++i)
        cap *= 2;
    cap = std::min(cap, maxMs);
    std::uniform_int_distribution<std::int64_t> jitter(minMs, std::max(minMs, cap));
    // A server may ask for a long pause, but not for one that outlasts
    // every sane outage: an hour at most.
    constexpr std::int64_t maxRetryAfterMs = 3600 * 1000;
    return std::max(jitter(_random), std::min(retryAfterSeconds, maxRetryAfterMs / 1000) * 1000);
}

} // namespace TokenBroker
