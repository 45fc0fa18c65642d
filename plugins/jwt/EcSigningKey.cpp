#include "EcSigningKey.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>


namespace TokenBroker::Jwt {

namespace {

const ExpectedKey kEc{"EC", "SEC1 or PKCS#8", {"EC PRIVATE KEY", "PRIVATE KEY"}};

/// RFC 7518 §3.4: R and S, each left-padded to the curve's 32 bytes.
constexpr int kCoordinateBytes = 32;

} // namespace

EcSigningKey::EcSigningKey(const std::string& pem)
    : _key(loadPemPrivateKey(pem, kEc))
{
    char group[64] = {0};
    std::size_t length = 0;
    const bool ec = EVP_PKEY_get_base_id(_key) == EVP_PKEY_EC;
    if (!ec || EVP_PKEY_get_utf8_string_param(_key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) != 1 ||
        std::string(group) != "prime256v1")
    {
        const char* type = EVP_PKEY_get0_type_name(_key);
        const std::string what = ec ? "an EC key on curve " + std::string(*group ? group : "unknown")
                                    : "a key of type " + std::string(type ? type : "unknown");
        EVP_PKEY_free(_key);
        throw KeyRejected("ES256 signs with a P-256 (prime256v1) EC key; this is " + what);
    }
}

EcSigningKey::~EcSigningKey()
{
    EVP_PKEY_free(_key);
}

std::shared_ptr<const EcSigningKey> EcSigningKey::shared(const std::string& pem)
{
    return sharedKey<EcSigningKey>(pem);
}

std::string EcSigningKey::signJws(const std::string& signingInput) const
{
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::size_t length = 0;
    if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, _key) != 1 ||
        EVP_DigestSign(context.get(), nullptr, &length,
                       reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size()) != 1)
        throw std::runtime_error("ES256 signing failed: " + takeOpenSslReason());
    std::string der(length, '\0');
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(der.data()), &length,
                       reinterpret_cast<const unsigned char*>(signingInput.data()), signingInput.size()) != 1)
        throw std::runtime_error("ES256 signing failed: " + takeOpenSslReason());
    // OpenSSL writes the DER ECDSA-Sig-Value; JWS wants R || S.
    const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> signature(
        d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(length)), &ECDSA_SIG_free);
    if (!signature)
        throw std::runtime_error("ES256 signing failed: " + takeOpenSslReason());
    std::string raw(2 * kCoordinateBytes, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    if (BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), out, kCoordinateBytes) != kCoordinateBytes ||
        BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()), out + kCoordinateBytes, kCoordinateBytes) != kCoordinateBytes)
        throw std::runtime_error("ES256 signing failed: a coordinate does not fit 32 bytes");
    return raw;
}

} // namespace TokenBroker::Jwt
