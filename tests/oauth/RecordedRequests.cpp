#include "RecordedRequests.h"

#include "OAuthWorld.h"

#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

namespace TokenBroker::Test::OAuth {

std::string RecordedRequest::bodyString(const std::string& name) const
{
    return body ? body->optValue<std::string>(name, "") : std::string();
}

std::vector<RecordedRequest> recordedRequests(const EmulatorProcess& emulator)
{
    std::vector<RecordedRequest> result;
    Poco::JSON::Array::Ptr all = emulator.requests();
    for (std::size_t i = 0; i < all->size(); ++i)
    {
        Poco::JSON::Object::Ptr entry = all->getObject(static_cast<unsigned>(i));
        RecordedRequest request;
        request.method = entry->getValue<std::string>("method");
        request.path = entry->getValue<std::string>("path");
        request.receivedMs = entry->getValue<Poco::Int64>("received_ms");
        // Header names as the client spelled them.
        for (const auto& [name, value] : *entry->getObject("headers"))
            if (Poco::icompare(name, "authorization") == 0)
                request.authorization = value.toString();
        try
        {
            request.body = Poco::JSON::Parser().parse(entry->getValue<std::string>("body"))
                               .extract<Poco::JSON::Object::Ptr>();
        }
        catch (const Poco::Exception&)
        {
        }
        result.push_back(request);
    }
    return result;
}

std::vector<RecordedRequest> tokenRequests(const EmulatorProcess& emulator, const std::string& grantType)
{
    std::vector<RecordedRequest> result;
    for (const auto& request : recordedRequests(emulator))
        if (request.path == kTokenPath && request.bodyString("grant_type") == grantType)
            result.push_back(request);
    return result;
}

std::vector<std::string> presentedRefreshTokens(const EmulatorProcess& emulator)
{
    std::vector<std::string> result;
    for (const auto& request : tokenRequests(emulator, "refresh_token"))
        result.push_back(request.bodyString("refresh_token"));
    return result;
}

} // namespace TokenBroker::Test::OAuth
