#pragma once

// The parts of the Coze auth protocol every Coze flow shares
// (../shared/spec/coze-oauth.md §2 and §4).

#include "PluginKit.h"

#include <map>
#include <string>

namespace TokenBroker::Kit::Coze {

/// Headers for a JSON call to the Coze API, with the SDK-style telemetry
/// headers; `bearer` (may be empty) becomes the Authorization header.
std::map<std::string, std::string> jsonHeaders(const std::string& bearer);

/// A token-endpoint answer, classified (§4).
struct TokenAnswer
{
    Outcome outcome;            ///< OK with access token and absolute expiry, or a classified failure
    std::string refreshToken;   ///< when a 2xx answer carried one, even if its access token is unusable
    std::string errorCode;      ///< error_code / error, for callers that poll (device flow)
};

/// Classifies a token-endpoint response: transport-level statuses, the OAuth
/// error envelope, a non-zero OpenAPI `code`, and a 200 that lacks a usable
/// access_token or expires_in (never published, RETRY). `expires_in` is
/// absolute Unix seconds; a value below 1e9 is taken as relative to
/// `nowSeconds`. The refresh token of a 2xx answer is returned whatever the
/// rest of it is worth: the caller must store it before judging the answer.
TokenAnswer parseTokenAnswer(const Response& response, std::int64_t nowSeconds);

/// Classifies any JSON answer of the auth endpoints (steps 1-6 of §4):
/// returns the body when it is a 2xx JSON object without an error member or
/// non-zero code; otherwise sets `failure` (and `errorCode` when the server
/// named one) and returns null.
Poco::JSON::Object::Ptr parseObjectAnswer(const Response& response, std::optional<Outcome>& failure,
                                          std::string& errorCode);

/// Classifies an OpenAPI (/v1/...) answer: OK only for HTTP 2xx with code 0.
Outcome checkOpenApiAnswer(const Response& response);

/// Seconds from a Retry-After header (delta-seconds form), if present.
std::optional<std::int64_t> retryAfter(const Response& response);

/// " (logid X)" when the server sent X-Tt-Logid.
std::string logIdSuffix(const Response& response);

} // namespace TokenBroker::Kit::Coze
