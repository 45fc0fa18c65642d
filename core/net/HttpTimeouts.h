#pragma once

#include <cstdint>

namespace TokenBroker {

/// Limits of one HTTP request, in seconds: `total` bounds the whole request
/// (connecting, TLS handshake, sending, and reading the answer however
/// slowly it arrives); `connect` and `read` bound each step within it.
struct HttpTimeouts
{
    std::int64_t connect = 10;
    std::int64_t read = 30;
    std::int64_t total = 60;
};

} // namespace TokenBroker
