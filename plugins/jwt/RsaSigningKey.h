#pragma once

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_pkey_ctx_st EVP_PKEY_CTX;
typedef struct evp_md_st EVP_MD;

namespace TokenBroker::Jwt {

/// The PEM text is not a usable RSA private key. The message says why in
/// words an operator can act on and never quotes the key.
class KeyRejected : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// An RSA private key parsed once from PEM text, `BEGIN RSA PRIVATE KEY`
/// (PKCS#1) or `BEGIN PRIVATE KEY` (PKCS#8), that makes RSASSA-PKCS1-v1_5
/// SHA-256 signatures (JWS RS256).
///
/// OpenSSL is used directly rather than through Poco::Crypto because Poco's
/// loader passes no password callback: an encrypted key would make OpenSSL
/// prompt on the terminal, which a daemon must never do.
class RsaSigningKey
{
public:
    /// RFC 7518 §3.3: RS256 keys must have at least 2048 bits.
    static constexpr int minimumBits = 2048;

    /// Throws KeyRejected for anything but an unencrypted RSA private key of
    /// at least minimumBits. Text that carries `\n` escapes instead of line
    /// breaks (a PEM pasted into one environment variable) is accepted.
    explicit RsaSigningKey(const std::string& pem);
    ~RsaSigningKey();
    RsaSigningKey(const RsaSigningKey&) = delete;
    RsaSigningKey& operator=(const RsaSigningKey&) = delete;

    /// The raw signature over `data`. Throws std::runtime_error if OpenSSL
    /// fails. Thread-safe.
    std::string signSha256(const std::string& data) const;

    int bits() const { return _bits; }
    /// "PKCS#1" or "PKCS#8", for descriptions (not secret).
    const std::string& format() const { return _format; }

private:
    void prepareSigner();
    void release();

    EVP_PKEY* _key = nullptr;
    /// Signing context and digest prepared once: setting them up per
    /// signature (EVP_DigestSignInit) cost a third of the signing rate.
    EVP_PKEY_CTX* _signer = nullptr;
    EVP_MD* _sha256 = nullptr;
    mutable std::mutex _signerMutex;  ///< an EVP_PKEY_CTX serves one call at a time
    int _bits = 0;
    std::string _format;
};

} // namespace TokenBroker::Jwt
