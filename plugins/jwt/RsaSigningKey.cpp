#include "RsaSigningKey.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <vector>

namespace TokenBroker::Jwt {

namespace {

const ExpectedKey kRsa{"RSA", "PKCS#1 or PKCS#8", {"RSA PRIVATE KEY", "PRIVATE KEY"}};

} // namespace

RsaSigningKey::RsaSigningKey(const std::string& pemText)
{
    _key = loadPemPrivateKey(pemText, kRsa);
    if (EVP_PKEY_get_base_id(_key) != EVP_PKEY_RSA)
    {
        const char* type = EVP_PKEY_get0_type_name(_key);
        const std::string name = type ? type : "non-RSA";
        release();
        throw KeyRejected("not a PEM RSA private key (PKCS#1 or PKCS#8): it is a key of type " + name +
                          "; RS256 signs with an RSA key");
    }
    _bits = EVP_PKEY_get_bits(_key);
    if (_bits < minimumBits)
    {
        release();
        throw KeyRejected("the RSA key has " + std::to_string(_bits) + " bits; RS256 requires at least " +
                          std::to_string(minimumBits));
    }
    prepareSigner();
    _format = privateKeyLabel(pemText, kRsa) == "RSA PRIVATE KEY" ? "PKCS#1" : "PKCS#8";
}

RsaSigningKey::~RsaSigningKey()
{
    for (EVP_PKEY_CTX* signer : _idleSigners)
        EVP_PKEY_CTX_free(signer);
    release();
}

std::shared_ptr<const RsaSigningKey> RsaSigningKey::shared(const std::string& pem)
{
    return sharedKey<RsaSigningKey>(pem);
}

void RsaSigningKey::prepareSigner()
{
    _sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    _signer = EVP_PKEY_CTX_new_from_pkey(nullptr, _key, nullptr);
    if (!_sha256 || !_signer || EVP_PKEY_sign_init(_signer) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(_signer, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(_signer, _sha256) != 1)
    {
        const std::string reason = takeOpenSslReason();
        release();
        throw std::runtime_error("cannot prepare RS256 signing: " + reason);
    }
}

void RsaSigningKey::release()
{
    EVP_PKEY_CTX_free(_signer);
    _signer = nullptr;
    EVP_MD_free(_sha256);
    _sha256 = nullptr;
    EVP_PKEY_free(_key);
    _key = nullptr;
}

std::string RsaSigningKey::signSha256(const std::string& data) const
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestLength = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &digestLength, _sha256, nullptr) != 1)
        throw std::runtime_error("SHA-256 failed: " + takeOpenSslReason());
    struct Lease
    {
        const RsaSigningKey& key;
        EVP_PKEY_CTX* context;
        ~Lease() { key.returnSigner(context); }
        EVP_PKEY_CTX* get() const { return context; }
    } signer{*this, takeSigner()};
    std::size_t length = 0;
    if (EVP_PKEY_sign(signer.get(), nullptr, &length, digest, digestLength) != 1)
        throw std::runtime_error("RS256 signing failed: " + takeOpenSslReason());
    std::string signature(length, '\0');
    if (EVP_PKEY_sign(signer.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, digest,
                      digestLength) != 1)
        throw std::runtime_error("RS256 signing failed: " + takeOpenSslReason());
    signature.resize(length);
    return signature;
}

EVP_PKEY_CTX* RsaSigningKey::takeSigner() const
{
    {
        std::lock_guard<std::mutex> lock(_idleMutex);
        if (!_idleSigners.empty())
        {
            EVP_PKEY_CTX* signer = _idleSigners.back();
            _idleSigners.pop_back();
            return signer;
        }
    }
    EVP_PKEY_CTX* copy = EVP_PKEY_CTX_dup(_signer);
    if (!copy)
        throw std::runtime_error("cannot prepare RS256 signing: " + takeOpenSslReason());
    return copy;
}

void RsaSigningKey::returnSigner(EVP_PKEY_CTX* signer) const
{
    std::lock_guard<std::mutex> lock(_idleMutex);
    _idleSigners.push_back(signer);
}

} // namespace TokenBroker::Jwt
