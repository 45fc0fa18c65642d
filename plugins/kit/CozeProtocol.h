#pragma once

// The parts of the Coze auth protocol every Coze flow shares
// (../shared/spec/coze-oauth.md §2 and §4).

#include "PluginKit.h"
#include "TokenAnswer.h"

#include <map>
#include <string>

namespace TokenBroker::Kit::Coze {

/// Headers for a JSON call to the Coze API, with the SDK-style telemetry
/// headers; `bearer` (may be empty) becomes the Authorization header.
std::map<std::string, std::string> jsonHeaders(const std::string& bearer);

using Kit::TokenAnswer;
using Kit::kAbsoluteExpiryFrom;
using Kit::kMaxLifetimeSeconds;
using Kit::absoluteExpiry;
using Kit::excerpt;
using Kit::retryAfter;

/// Coze's reading of answers (§4): `error_code`/`error_message` beside the
/// standard names, internal_error retried, a non-zero OpenAPI `code` (5000
/// retried), the X-Tt-Logid request id in every message.
const AnswerDialect& dialect();

/// Classifies a token-endpoint response in Coze's dialect (§4; see
/// Kit::parseTokenAnswer).
TokenAnswer parseTokenAnswer(const Response& response, std::int64_t nowSeconds);

/// Classifies any JSON answer of the auth endpoints in Coze's dialect (steps
/// 1-6 of §4; see Kit::parseObjectAnswer).
Poco::JSON::Object::Ptr parseObjectAnswer(const Response& response, std::optional<Outcome>& failure,
                                          std::string& errorCode);

/// Classifies an OpenAPI (/v1/...) answer as parseObjectAnswer does: OK only
/// for an HTTP 2xx JSON object with code 0; a 401 or 403 adds that the token
/// was rejected.
Outcome checkOpenApiAnswer(const Response& response);

/// " (logid X)" when the server sent X-Tt-Logid.
std::string logIdSuffix(const Response& response);

} // namespace TokenBroker::Kit::Coze
