#pragma once

#include "HttpExchange.h"

#include <Poco/JSON/Array.h>

#include <cstdint>
#include <deque>
#include <mutex>

namespace TokenBroker::Emulator {

/// Every request to the emulated API (control requests excluded), so tests
/// can assert what a client actually sent. Thread-safe; keeps the most recent
/// `capacity` entries.
class RequestLog
{
public:
    static constexpr std::size_t capacity = 10000;

    void record(const HttpRequest& request);

    /// `[{"method","path","query","headers":{name: value},"body","received_ms"}, ...]`,
    /// oldest first; header names as the client spelled them. `received_ms`
    /// is the real wall-clock time of arrival (Unix ms, not the emulated
    /// clock), so tests can measure the spacing of polls.
    Poco::JSON::Array::Ptr toJson() const;

    void clear();

private:
    mutable std::mutex _mutex;
    struct Entry
    {
        HttpRequest request;
        std::int64_t receivedMs = 0;
    };
    std::deque<Entry> _requests;
};

} // namespace TokenBroker::Emulator
