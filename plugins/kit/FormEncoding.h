#pragma once

// application/x-www-form-urlencoded, the body of every standard OAuth 2.0
// token request (RFC 6749 appendix B).

#include <string>
#include <utility>
#include <vector>

namespace TokenBroker::Kit {

/// Name/value pairs in order; a name may repeat (RFC 8707 `resource`).
using FormFields = std::vector<std::pair<std::string, std::string>>;

/// One name or value, percent-encoded: everything but ALPHA / DIGIT /
/// "-" / "." / "_" / "~" (so also "+", "&", "=" and spaces).
std::string formEncode(const std::string& text);

/// `a=1&b=2`, each part encoded by formEncode.
std::string formBody(const FormFields& fields);

} // namespace TokenBroker::Kit
