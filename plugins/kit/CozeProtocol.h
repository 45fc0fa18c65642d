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

/// expires_in values from here on are Unix times, below it lifetimes.
constexpr std::int64_t kAbsoluteExpiryFrom = 1000000000;

/// The longest lifetime a token answer may claim (ten years, as the host's
/// own check): anything beyond is a broken or hostile server.
constexpr std::int64_t kMaxLifetimeSeconds = 10LL * 366 * 24 * 3600;

/// The absolute expiry an answer's `expires_in` means: a positive integer,
/// a lifetime below kAbsoluteExpiryFrom, a Unix time above it, in the
/// future and no more than kMaxLifetimeSeconds ahead. Otherwise 0, with
/// `problem` saying what was received ("answer with expires_in 1e+16, not
/// a whole number of seconds").
std::int64_t absoluteExpiry(const Poco::Dynamic::Var& expiresIn, std::int64_t nowSeconds, std::string& problem);

/// At most 40 characters of `text`, for quoting a server in a message.
std::string excerpt(const std::string& text);

/// Classifies a token-endpoint response: transport-level statuses, the OAuth
/// error envelope, a non-zero OpenAPI `code`, a redirect or a 2xx that is
/// not JSON (RETRY: a proxy on the way), and a 200 that lacks a usable
/// access_token or expires_in (never published, RETRY; see absoluteExpiry). The refresh token of a 2xx answer is returned whatever the
/// rest of it is worth: the caller must store it before judging the answer.
TokenAnswer parseTokenAnswer(const Response& response, std::int64_t nowSeconds);

/// Classifies any JSON answer of the auth endpoints (steps 1-6 of §4):
/// returns the body when it is a 2xx JSON object without an error member or
/// non-zero code; otherwise sets `failure` (and `errorCode` when the server
/// named one) and returns null.
Poco::JSON::Object::Ptr parseObjectAnswer(const Response& response, std::optional<Outcome>& failure,
                                          std::string& errorCode);

/// Classifies an OpenAPI (/v1/...) answer as parseObjectAnswer does: OK only
/// for an HTTP 2xx JSON object with code 0; a 401 or 403 adds that the token
/// was rejected.
Outcome checkOpenApiAnswer(const Response& response);

/// Seconds from a Retry-After header (delta-seconds form), if present.
std::optional<std::int64_t> retryAfter(const Response& response);

/// " (logid X)" when the server sent X-Tt-Logid.
std::string logIdSuffix(const Response& response);

} // namespace TokenBroker::Kit::Coze
