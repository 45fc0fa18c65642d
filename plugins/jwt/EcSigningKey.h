#pragma once

#include "JwsSigningKey.h"
#include "PemPrivateKey.h"

#include <memory>
#include <string>

namespace TokenBroker::Jwt {

/// A P-256 private key parsed once from PEM text, `BEGIN EC PRIVATE KEY`
/// (SEC1) or `BEGIN PRIVATE KEY` (PKCS#8), that makes ECDSA SHA-256
/// signatures (JWS ES256).
class EcSigningKey : public JwsSigningKey
{
public:
    /// Throws KeyRejected for anything but an unencrypted P-256 private key
    /// (ES256 is defined for that curve only).
    explicit EcSigningKey(const std::string& pem);
    ~EcSigningKey() override;
    EcSigningKey(const EcSigningKey&) = delete;
    EcSigningKey& operator=(const EcSigningKey&) = delete;

    /// The key for `pem`, parsed once while any profile holds it.
    static std::shared_ptr<const EcSigningKey> shared(const std::string& pem);

    const char* algorithm() const override { return "ES256"; }
    std::string signJws(const std::string& signingInput) const override;

private:
    EVP_PKEY* _key = nullptr;
};

} // namespace TokenBroker::Jwt
