#pragma once

#include "Token.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace TokenBroker {

/// The largest access token published (a JWT with many claims is a few KiB).
constexpr std::size_t kMaxTokenBytes = 16 * 1024;

/// The furthest ahead an expiry may lie: ten years. Nothing real lives
/// longer, and every time computed from an expiry stays far from overflow.
constexpr std::int64_t kMaxTokenLifetimeSeconds = 10LL * 366 * 24 * 3600;

/// Why `token`, as a plugin returned it at `nowSeconds`, must not be
/// published, or nothing when it may. Checked before anything is written:
/// an access token is a bearer token (RFC 6750: letters, digits and
/// "-._~+/" then "=" padding, at most kMaxTokenBytes), so a newline or a
/// quote that would break an env file or a header is refused; its type is
/// a word such as Bearer; its expiry
/// is 0 (never) or in (now, now + kMaxTokenLifetimeSeconds]. The reason
/// never quotes the token.
std::optional<std::string> tokenRefusal(const Token& token, std::int64_t nowSeconds);

} // namespace TokenBroker
