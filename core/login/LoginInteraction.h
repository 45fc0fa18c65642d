#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace TokenBroker {

/// What a browser redirect delivered to the loopback listener.
struct RedirectRequest
{
    std::string redirectUri;    ///< http://127.0.0.1:PORT/path (or localhost)
    std::string authorizeUrl;   ///< shown to the user and opened in a browser
    std::string state;          ///< callbacks with another state are refused
    std::int64_t timeoutSeconds = 300;
};

/// The login could not go on (port taken, timeout, interrupted).
class LoginError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// A person taking part in `tokenbroker login`: the host services
/// interact, sleep_ms and await_redirect reach this. The daemon has none.
class LoginInteraction
{
public:
    virtual ~LoginInteraction() = default;

    /// Shows a step: {"kind": "device_code", ...} or {"kind": "progress", ...}.
    virtual void show(const Poco::JSON::Object& event) = 0;

    /// Sleeps; false when interrupted.
    virtual bool sleep(std::int64_t milliseconds) = 0;

    /// Waits for the browser's callback; returns its query parameters.
    /// Throws LoginError.
    virtual std::map<std::string, std::string> awaitRedirect(const RedirectRequest& request) = 0;
};

} // namespace TokenBroker
