#pragma once

#include "ChildProcess.h"
#include "EmulatorProcess.h"

#include <chrono>
#include <string>

namespace TokenBroker::Test::OAuth {

/// What a person does during `tokenbroker login`: reads what the broker
/// printed, opens URLs, lands on the loopback listener. Each function throws
/// std::runtime_error (with the broker's output) when the step cannot be done.

/// The user code from "and enter the code\n\n      XXXX-XXXX".
std::string readUserCode(ChildProcess& login, std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// The URL from "open this URL in a browser:\n\n      URL".
std::string readAuthorizeUrl(ChildProcess& login, std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// Opens the authorize URL on the emulator (HTTPS, trusting only its CA,
/// redirects not followed) and returns the 302's Location: the redirect_uri
/// with code and state, where the browser would go next.
std::string authorize(const EmulatorProcess& emulator, const std::string& authorizeUrl);

/// A browser GET of an http://127.0.0.1 URL (the broker's listener).
HttpResult browse(const std::string& url);

/// A decoded query parameter of a URL; "" when absent.
std::string queryParameter(const std::string& url, const std::string& name);

/// The URL with one query parameter replaced (or added).
std::string withQueryParameter(const std::string& url, const std::string& name, const std::string& value);

/// BASE64URL-NOPAD(SHA256(verifier)), RFC 7636 §4.2.
std::string s256(const std::string& verifier);

} // namespace TokenBroker::Test::OAuth
