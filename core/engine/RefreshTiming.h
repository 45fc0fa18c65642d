#pragma once

#include "Config.h"

#include <cstdint>
#include <random>

namespace TokenBroker {

/// When to renew and how long to wait after failures (broker.refresh).
class RefreshTiming
{
public:
    explicit RefreshTiming(RefreshPolicy policy);

    /// Unix ms at which a token obtained at `obtainedAt` and expiring at
    /// `expiresAt` (seconds) is renewed; never before obtainedAt + 1 s.
    /// INT64_MAX for a token that does not expire.
    std::int64_t renewAt(std::int64_t obtainedAt, std::int64_t expiresAt) const;

    /// Delay in ms before attempt number `failures` (1 = first retry):
    /// exponential with full jitter, drawn from [min_backoff, min(max_backoff,
    /// min_backoff * 2^(failures-1))], and at least the server's Retry-After
    /// (itself capped at one hour).
    std::int64_t retryDelay(int failures, std::int64_t retryAfterSeconds);

private:
    RefreshPolicy _policy;
    std::mt19937_64 _random;
};

} // namespace TokenBroker
