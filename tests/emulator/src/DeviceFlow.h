#pragma once

#include "Clock.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace TokenBroker::Emulator {

/// The answer to `device/code`: `expiresIn` is relative (RFC 8628 meaning).
struct DeviceAuthorization
{
    std::string deviceCode;
    std::string userCode;
    std::int64_t expiresIn = 0;
    std::int64_t interval = 0;
};

/// Device authorizations and their poll state machine (spec §5 rows 16–17).
class DeviceFlow
{
public:
    enum class Decision
    {
        Recorded,
        UnknownUserCode,
        Expired
    };

    DeviceFlow(const Clock& clock, std::int64_t ttlSeconds, std::int64_t intervalSeconds);

    DeviceAuthorization start(const std::string& clientId);

    /// One poll. Returns when the user approved (the device code is spent from
    /// then on); otherwise throws OAuthError with `authorization_pending`,
    /// `slow_down`, `access_denied`, `expired_token` or `invalid_grant`.
    /// Spacing is measured from the previous poll of the same code, so the
    /// SDKs' immediate first poll is not penalised; every `slow_down` raises
    /// that code's interval by 5 s for good (RFC 8628 §3.5).
    void poll(const std::string& deviceCode, const std::string& clientId);

    /// The test hook standing in for the user on the verification page.
    Decision decide(const std::string& userCode, bool deny);

    void reset();

private:
    enum class State
    {
        Pending,
        Approved,
        Denied,
        Spent
    };

    struct Entry
    {
        std::string clientId;
        std::string userCode;
        std::int64_t expiresAtMillis = 0;
        std::int64_t intervalMillis = 0;
        std::int64_t lastPollMillis = -1;
        State state = State::Pending;
    };

    const Clock& _clock;
    const std::int64_t _ttl;
    const std::int64_t _interval;
    std::mutex _mutex;
    std::map<std::string, Entry> _byDeviceCode;
    std::map<std::string, std::string> _deviceCodeByUserCode;
};

} // namespace TokenBroker::Emulator
