#include "RequestLog.h"

#include <Poco/JSON/Object.h>
#include <Poco/Timestamp.h>

namespace TokenBroker::Emulator {

void RequestLog::record(const HttpRequest& request)
{
    std::lock_guard<std::mutex> lock(_mutex);
    _requests.push_back(Entry{request, Poco::Timestamp().epochMicroseconds() / 1000});
    if (_requests.size() > capacity)
        _requests.pop_front();
}

Poco::JSON::Array::Ptr RequestLog::toJson() const
{
    Poco::JSON::Array::Ptr result = new Poco::JSON::Array;
    std::lock_guard<std::mutex> lock(_mutex);
    for (const auto& [request, receivedMs] : _requests)
    {
        Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
        entry->set("method", request.method);
        entry->set("path", request.path);
        entry->set("query", request.rawQuery);
        Poco::JSON::Object::Ptr headers = new Poco::JSON::Object;
        for (const auto& [name, value] : request.headers)
            headers->set(name, value);
        entry->set("headers", headers);
        entry->set("body", request.body);
        entry->set("received_ms", static_cast<Poco::Int64>(receivedMs));
        result->add(entry);
    }
    return result;
}

void RequestLog::clear()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _requests.clear();
}

} // namespace TokenBroker::Emulator
