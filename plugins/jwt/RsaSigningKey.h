#pragma once

#include "JwsSigningKey.h"
#include "PemPrivateKey.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;
typedef struct evp_md_st EVP_MD;

namespace TokenBroker::Jwt {

/// An RSA private key parsed once from PEM text, `BEGIN RSA PRIVATE KEY`
/// (PKCS#1) or `BEGIN PRIVATE KEY` (PKCS#8), that makes RSASSA-PKCS1-v1_5
/// SHA-256 signatures (JWS RS256).
///
/// OpenSSL is used directly rather than through Poco::Crypto because Poco's
/// loader passes no password callback: an encrypted key would make OpenSSL
/// prompt on the terminal, which a daemon must never do.
class RsaSigningKey : public JwsSigningKey
{
public:
    /// RFC 7518 §3.3: RS256 keys must have at least 2048 bits.
    static constexpr int minimumBits = 2048;

    /// Throws KeyRejected for anything but an unencrypted RSA private key of
    /// at least minimumBits. Text that carries `\n` escapes instead of line
    /// breaks (a PEM pasted into one environment variable) is accepted.
    explicit RsaSigningKey(const std::string& pem);

    /// The key for `pem`, parsed once for every profile that uses the same
    /// text while any of them holds it: a thousand profiles of one app
    /// share one parsed key instead of a thousand. Throws as the
    /// constructor does.
    static std::shared_ptr<const RsaSigningKey> shared(const std::string& pem);
    ~RsaSigningKey();
    RsaSigningKey(const RsaSigningKey&) = delete;
    RsaSigningKey& operator=(const RsaSigningKey&) = delete;

    /// The raw signature over `data`. Throws std::runtime_error if OpenSSL
    /// fails. Thread-safe.
    std::string signSha256(const std::string& data) const;

    const char* algorithm() const override { return "RS256"; }
    std::string signJws(const std::string& signingInput) const override { return signSha256(signingInput); }

    int bits() const { return _bits; }
    /// "PKCS#1" or "PKCS#8", for descriptions (not secret).
    const std::string& format() const { return _format; }

private:
    void prepareSigner();
    void release();

    /// A prepared context from the pool, or a copy of _signer.
    EVP_PKEY_CTX* takeSigner() const;
    void returnSigner(EVP_PKEY_CTX* signer) const;

    EVP_PKEY* _key = nullptr;
    /// Signing context and digest prepared once: setting them up per
    /// signature (EVP_DigestSignInit) cost a third of the signing rate.
    EVP_PKEY_CTX* _signer = nullptr;
    EVP_MD* _sha256 = nullptr;
    /// An EVP_PKEY_CTX serves one call at a time; concurrent signers (one
    /// key shared by many profiles) each take a copy, kept for reuse.
    mutable std::mutex _idleMutex;
    mutable std::vector<EVP_PKEY_CTX*> _idleSigners;
    int _bits = 0;
    std::string _format;
};

} // namespace TokenBroker::Jwt
