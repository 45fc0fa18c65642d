#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>

namespace TokenBroker::Emulator {

/// PEM encodings of a freshly generated key, for the throwaway PKI and for
/// tests that need JWT signing keys without committing private keys.
class KeyMaterial
{
public:
    /// A new RSA key (JWT signing keys must be RSA for RS256).
    static KeyMaterial generateRsa(int bits = 2048);
    /// A new P-256 key: fast to generate, fine for TLS certificates.
    static KeyMaterial generateEc();

    /// `-----BEGIN RSA PRIVATE KEY-----` (RSA keys only).
    std::string privateKeyPkcs1Pem() const;
    /// `-----BEGIN PRIVATE KEY-----`.
    std::string privateKeyPkcs8Pem() const;
    /// `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo).
    std::string publicKeyPem() const;
    /// `-----BEGIN RSA PUBLIC KEY-----` (RSA keys only).
    std::string publicKeyPkcs1Pem() const;

    EVP_PKEY* get() const { return _key.get(); }

private:
    explicit KeyMaterial(EVP_PKEY* key);

    std::shared_ptr<EVP_PKEY> _key;
};

} // namespace TokenBroker::Emulator
