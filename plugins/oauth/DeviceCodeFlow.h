#pragma once

#include "DeviceAuthorization.h"
#include "UserFlow.h"

namespace TokenBroker::OAuth {

/// `device`: the broker asks for a device code, the user approves it on
/// another device, the broker polls (coze-oauth.md §3.5, RFC 8628).
class DeviceCodeFlow : public UserFlow
{
public:
    explicit DeviceCodeFlow(const Settings& settings);

    Outcome login(Host& host) override;
    Poco::JSON::Object::Ptr describe() const override;

private:
    std::int64_t _minimumInterval;
};

} // namespace TokenBroker::OAuth
