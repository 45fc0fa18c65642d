#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>

namespace TokenBroker::Kit {

/// The claims of a compact JWS/JWT, decoded but NOT verified: for reading
/// the expiry of a token the server itself just handed us over TLS, never
/// for trusting what it says about anyone. Null if `token` is not one.
Poco::JSON::Object::Ptr unverifiedJwtClaims(const std::string& token);

/// Its `exp` claim, if it is a JWT with an integer exp.
std::optional<std::int64_t> unverifiedJwtExpiry(const std::string& token);

} // namespace TokenBroker::Kit
