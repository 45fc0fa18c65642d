#include "DeviceFlow.h"

#include "HttpExchange.h"
#include "Random.h"

namespace TokenBroker::Emulator {

namespace {

/// Unambiguous upper-case letters, no vowels (avoids words), as user codes
/// are typed by people: `WDJB-MJHT`.
const std::string userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";

constexpr std::int64_t slowDownPenaltyMillis = 5000;

} // namespace

DeviceFlow::DeviceFlow(const Clock& clock, std::int64_t ttlSeconds, std::int64_t intervalSeconds)
    : _clock(clock)
    , _ttl(ttlSeconds)
    , _interval(intervalSeconds)
{
}

DeviceAuthorization DeviceFlow::start(const std::string& clientId)
{
    DeviceAuthorization result;
    result.deviceCode = Random::hex(20);
    result.expiresIn = _ttl;
    result.interval = _interval;
    std::lock_guard<std::mutex> lock(_mutex);
    do
        result.userCode = Random::fromAlphabet(userCodeAlphabet, 4) + "-" + Random::fromAlphabet(userCodeAlphabet, 4);
    while (_deviceCodeByUserCode.count(result.userCode));
    Entry entry;
    entry.clientId = clientId;
    entry.userCode = result.userCode;
    entry.expiresAtMillis = _clock.nowMillis() + _ttl * 1000;
    entry.intervalMillis = _interval * 1000;
    _byDeviceCode[result.deviceCode] = entry;
    _deviceCodeByUserCode[result.userCode] = result.deviceCode;
    return result;
}

void DeviceFlow::poll(const std::string& deviceCode, const std::string& clientId)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _byDeviceCode.find(deviceCode);
    if (it == _byDeviceCode.end() || it->second.clientId != clientId)
        throw OAuthError("invalid_grant", "invalid device_code");
    Entry& entry = it->second;
    if (entry.state == State::Spent)
        throw OAuthError("invalid_grant", "device_code already used");
    const std::int64_t now = _clock.nowMillis();
    if (now >= entry.expiresAtMillis)
        throw OAuthError("expired_token", "the device code has expired");
    const std::int64_t previous = entry.lastPollMillis;
    entry.lastPollMillis = now;
    if (previous >= 0 && now - previous < entry.intervalMillis)
    {
        entry.intervalMillis += slowDownPenaltyMillis;
        throw OAuthError("slow_down", "polling too fast; interval is now "
                                          + std::to_string(entry.intervalMillis / 1000) + " s");
    }
    switch (entry.state)
    {
    case State::Pending:
        throw OAuthError("authorization_pending", "the user has not yet approved the request");
    case State::Denied:
        throw OAuthError("access_denied", "the user denied the request");
    case State::Approved:
        entry.state = State::Spent;
        return;
    case State::Spent:
        break;
    }
    throw OAuthError("invalid_grant", "device_code already used");
}

DeviceFlow::Decision DeviceFlow::decide(const std::string& userCode, bool deny)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto code = _deviceCodeByUserCode.find(userCode);
    if (code == _deviceCodeByUserCode.end())
        return Decision::UnknownUserCode;
    Entry& entry = _byDeviceCode.at(code->second);
    if (_clock.nowMillis() >= entry.expiresAtMillis)
        return Decision::Expired;
    if (entry.state == State::Pending)
        entry.state = deny ? State::Denied : State::Approved;
    return Decision::Recorded;
}

void DeviceFlow::reset()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _byDeviceCode.clear();
    _deviceCodeByUserCode.clear();
}

} // namespace TokenBroker::Emulator
