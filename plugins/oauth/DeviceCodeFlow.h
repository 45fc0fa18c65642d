#pragma once

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
    /// An integer member of a server answer, or `fallback` when it is
    /// missing, not an integer or beyond Int64.
    static std::int64_t numberOr(const Poco::JSON::Object::Ptr& body, const std::string& name, std::int64_t fallback);
    Outcome poll(Host& host, const std::string& deviceCode, std::int64_t interval, std::int64_t deadline);
    void progress(Host& host, const std::string& message) const;

    std::int64_t _minimumInterval;
};

} // namespace TokenBroker::OAuth
