#pragma once

#include "EmulatorProcess.h"

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <vector>

namespace TokenBroker::Test::OAuth {

/// One request the emulator recorded, its JSON body parsed.
struct RecordedRequest
{
    std::string method;
    std::string path;
    std::string authorization;          ///< the Authorization header, "" if absent
    Poco::JSON::Object::Ptr body;       ///< null when the body is not a JSON object
    std::int64_t receivedMs = 0;

    std::string bodyString(const std::string& name) const;
};

/// Every recorded request, oldest first.
std::vector<RecordedRequest> recordedRequests(const EmulatorProcess& emulator);

/// The token-endpoint requests with that grant_type, oldest first.
std::vector<RecordedRequest> tokenRequests(const EmulatorProcess& emulator, const std::string& grantType);

/// The refresh tokens presented to the token endpoint, oldest first.
std::vector<std::string> presentedRefreshTokens(const EmulatorProcess& emulator);

} // namespace TokenBroker::Test::OAuth
