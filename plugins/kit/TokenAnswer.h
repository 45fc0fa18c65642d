#pragma once

// Reading a token endpoint's answer (RFC 6749 §5.1 and §5.2), for every flow
// whatever its provider. A provider whose error envelope differs from the
// standard one (Coze's `code`/`msg`) supplies an AnswerDialect.

#include "PluginKit.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>

namespace TokenBroker::Kit {

/// A token-endpoint answer, classified.
struct TokenAnswer
{
    Outcome outcome;            ///< OK with access token and absolute expiry, or a classified failure
    std::string refreshToken;   ///< when a 2xx answer carried one, even if its access token is unusable
    std::string errorCode;      ///< the server's error code, for callers that poll (device flow)
    Poco::JSON::Object::Ptr body;  ///< the 2xx JSON object, for members a flow reads itself (id_token)
};

/// expires_in values from here on are Unix times, below it lifetimes.
constexpr std::int64_t kAbsoluteExpiryFrom = 1000000000;

/// The longest lifetime a token answer may claim (ten years, as the host's
/// own check): anything beyond is a broken or hostile server.
constexpr std::int64_t kMaxLifetimeSeconds = 10LL * 366 * 24 * 3600;

/// The absolute expiry an answer's `expires_in` means: a positive integer,
/// a lifetime below kAbsoluteExpiryFrom, a Unix time above it, in the
/// future and no more than kMaxLifetimeSeconds ahead. With `digitsAccepted`
/// a JSON string of decimal digits counts as the number (some servers quote
/// it). Otherwise 0, with `problem` saying what was received ("answer with
/// expires_in 1e+16, not a whole number of seconds").
std::int64_t absoluteExpiry(const Poco::Dynamic::Var& expiresIn, std::int64_t nowSeconds, std::string& problem,
                            bool digitsAccepted = false);

/// At most 40 characters of `text`, for quoting a server in a message.
std::string excerpt(const std::string& text);

/// Seconds from a Retry-After header (delta-seconds form), if present.
std::optional<std::int64_t> retryAfter(const Response& response);

/// 5xx, 429 and 408: the server or something on the way is busy.
bool retryableStatus(int status);

/// A string member of `body`, or "" when absent or not a string.
std::string stringMember(const Poco::JSON::Object::Ptr& body, const char* name);

/// How one provider's answers read where they differ from RFC 6749.
class AnswerDialect
{
public:
    virtual ~AnswerDialect() = default;

    /// The verdict of an error envelope in a JSON body, or nothing when the
    /// body carries none. Sets `errorCode` when the server named one. The
    /// standard reading: `error` and `error_description` (§5.2);
    /// invalid_grant is NEEDS_LOGIN, server_error and
    /// temporarily_unavailable RETRY, the rest FATAL (authorization_pending
    /// and slow_down too: pollers read errorCode first).
    virtual std::optional<Outcome> classifyEnvelope(const Response& response, const Poco::JSON::Object::Ptr& body,
                                                    std::string& errorCode) const;

    /// Appended to every failure message: a request id the server sent, so
    /// its operators can find the request (e.g. " (logid X)").
    virtual std::string messageSuffix(const Response&) const { return {}; }

    /// Accept expires_in as a string of digits.
    virtual bool quotedExpiryAccepted() const { return false; }

    /// The expiry to use when a 2xx answer has no expires_in (RFC 6749 makes
    /// it optional), or nothing when such an answer is unusable.
    virtual std::optional<std::int64_t> expiryWithoutExpiresIn(const std::string& /*accessToken*/,
                                                               std::int64_t /*nowSeconds*/) const
    {
        return std::nullopt;
    }

    /// A failure of `status` with the dialect's suffix and the Retry-After.
    Outcome failure(tokenbroker_status status, const Response& response, const std::string& message) const;
};

/// The RFC 6749 reading, as is.
const AnswerDialect& standardDialect();

/// Classifies any JSON answer of an auth endpoint: a redirect or a 2xx that
/// is not JSON (RETRY: a proxy on the way), the dialect's error envelope
/// (RETRY whatever it says under a 5xx), other statuses. Returns the body
/// when it is a 2xx JSON object without an error; otherwise sets `failure`
/// (and `errorCode` when the server named one) and returns null.
Poco::JSON::Object::Ptr parseObjectAnswer(const Response& response, const AnswerDialect& dialect,
                                          std::optional<Outcome>& failure, std::string& errorCode);

/// Classifies a token-endpoint response as parseObjectAnswer does, then a
/// 2xx that lacks a usable access_token or expiry (never published, RETRY;
/// see absoluteExpiry). The refresh token of a 2xx answer is returned
/// whatever the rest of it is worth: the caller must store it before
/// judging the answer.
TokenAnswer parseTokenAnswer(const Response& response, std::int64_t nowSeconds, const AnswerDialect& dialect);

} // namespace TokenBroker::Kit
