#pragma once

#include "HttpExchange.h"

#include <Poco/JSON/Array.h>

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

    /// `[{"method","path","query","headers":{name: value},"body"}, ...]`,
    /// oldest first; header names as the client spelled them.
    Poco::JSON::Array::Ptr toJson() const;

    void clear();

private:
    mutable std::mutex _mutex;
    std::deque<HttpRequest> _requests;
};

} // namespace TokenBroker::Emulator
