#pragma once

#include "LoginInteraction.h"

#include <map>
#include <memory>
#include <string>

namespace TokenBroker {

/// A one-shot loopback HTTP listener for OAuth redirects: binds the host and
/// port of an http://127.0.0.1 / localhost / [::1] redirect_uri, answers
/// callbacks on another path or with another `state` with an error page
/// (and keeps waiting), and returns the query of the first matching one
/// after telling the browser it can close the window.
class RedirectListener
{
public:
    /// Binds at once, so "port in use" is reported before the user is sent
    /// to the browser. Throws LoginError.
    RedirectListener(const std::string& redirectUri, const std::string& expectedState);
    ~RedirectListener();
    RedirectListener(const RedirectListener&) = delete;
    RedirectListener& operator=(const RedirectListener&) = delete;

    /// Waits up to timeoutSeconds; throws LoginError on timeout.
    std::map<std::string, std::string> wait(std::int64_t timeoutSeconds);

private:
    struct Impl;
    std::unique_ptr<Impl> _impl;
};

} // namespace TokenBroker
