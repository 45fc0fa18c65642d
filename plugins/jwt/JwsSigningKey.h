#pragma once

#include <string>

namespace TokenBroker::Jwt {

/// A private key that signs JWS compact serialisations under one JWS
/// algorithm (RFC 7518 §3): RsaSigningKey (RS256), EcSigningKey (ES256).
class JwsSigningKey
{
public:
    virtual ~JwsSigningKey() = default;

    /// The `alg` header value.
    virtual const char* algorithm() const = 0;

    /// The JWS signature over `signingInput`, in the algorithm's encoding
    /// (ES256: the 64-byte R || S of RFC 7518 §3.4, not DER). Thread-safe;
    /// throws std::runtime_error when OpenSSL fails.
    virtual std::string signJws(const std::string& signingInput) const = 0;
};

} // namespace TokenBroker::Jwt
