#pragma once

// The device authorization grant (RFC 8628) as every provider runs it: the
// answer to the device authorization request shown to the user, then the
// token endpoint polled until the user has decided.

#include "PluginKit.h"
#include "TokenAnswer.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace TokenBroker::Kit {

/// A device code the user was shown, to poll with.
struct DeviceCode
{
    std::string deviceCode;
    std::int64_t interval = 5;   ///< seconds between polls
    std::int64_t deadline = 0;   ///< Unix seconds: the code expires
};

/// Reads a device authorization answer (§3.2: device_code, user_code,
/// verification_uri, optional verification_uri_complete, expires_in and
/// interval, held to sane bounds and to at least `minimumInterval`) and
/// shows the code to the user. A failure when the answer lacks a member
/// or nobody can see the code (the daemon: NEEDS_LOGIN with `loginHint`).
std::optional<Outcome> presentDeviceCode(Host& host, const Poco::JSON::Object::Ptr& answer, const Response& response,
                                         const AnswerDialect& dialect, std::int64_t minimumInterval,
                                         const std::string& loginHint, DeviceCode& code);

/// Polls (§3.4, §3.5): `ask` makes one token request; authorization_pending
/// waits, slow_down waits 5 s longer from then on, access_denied and
/// expired_token end it, a temporary failure or a lost connection is
/// retried until the code expires. An answer with a token (or only a
/// refresh token: the code is spent) goes to `finish`.
Outcome pollDeviceCode(Host& host, DeviceCode code, const std::function<TokenAnswer()>& ask,
                       const std::function<Outcome(const TokenAnswer&)>& finish, const std::string& loginHint);

/// An integer member of a server answer, or `fallback` when it is missing,
/// not an integer or beyond Int64.
std::int64_t integerMember(const Poco::JSON::Object::Ptr& body, const std::string& name, std::int64_t fallback);

} // namespace TokenBroker::Kit
