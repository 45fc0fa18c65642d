#include "KeyMaterial.h"

#include "Pem.h"

#include <openssl/encoder.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <stdexcept>

namespace TokenBroker::Emulator {

namespace {

/// OpenSSL 3 encoder for the "traditional" (type-specific) PKCS#1 forms.
std::string encodePkcs1(EVP_PKEY* key, int selection, const char* what)
{
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        throw std::logic_error(std::string(what) + " needs an RSA key");
    return writePem(
        [&](BIO* bio) {
            std::unique_ptr<OSSL_ENCODER_CTX, decltype(&OSSL_ENCODER_CTX_free)> ctx(
                OSSL_ENCODER_CTX_new_for_pkey(key, selection, "PEM", "type-specific", nullptr),
                &OSSL_ENCODER_CTX_free);
            return ctx && OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) > 0 ? OSSL_ENCODER_to_bio(ctx.get(), bio) : 0;
        },
        what);
}

} // namespace

KeyMaterial::KeyMaterial(EVP_PKEY* key)
    : _key(key, &EVP_PKEY_free)
{
    if (!key)
        throw std::runtime_error("key generation failed");
}

KeyMaterial KeyMaterial::generateRsa(int bits)
{
    return KeyMaterial(EVP_RSA_gen(static_cast<unsigned>(bits)));
}

KeyMaterial KeyMaterial::generateEc()
{
    return KeyMaterial(EVP_EC_gen("P-256"));
}

std::string KeyMaterial::privateKeyPkcs1Pem() const
{
    return encodePkcs1(_key.get(), OSSL_KEYMGMT_SELECT_KEYPAIR, "PKCS#1 private key");
}

std::string KeyMaterial::privateKeyPkcs8Pem() const
{
    return writePem(
        [this](BIO* bio) { return PEM_write_bio_PKCS8PrivateKey(bio, _key.get(), nullptr, nullptr, 0, nullptr, nullptr); },
        "PKCS#8 private key");
}

std::string KeyMaterial::publicKeyPem() const
{
    return writePem([this](BIO* bio) { return PEM_write_bio_PUBKEY(bio, _key.get()); }, "public key");
}

std::string KeyMaterial::publicKeyPkcs1Pem() const
{
    return encodePkcs1(_key.get(), OSSL_KEYMGMT_SELECT_PUBLIC_KEY, "PKCS#1 public key");
}

} // namespace TokenBroker::Emulator
