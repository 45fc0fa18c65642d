#include "RsaSigningKey.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <map>
#include <memory>
#include <vector>

namespace TokenBroker::Jwt {

namespace {

constexpr const char* kExpected = "not a PEM RSA private key (PKCS#1 or PKCS#8)";

/// Refuses every passphrase request, so an encrypted key fails instead of
/// OpenSSL's default callback prompting on the terminal.
int noPassphrase(char*, int, int, void*)
{
    return 0;
}

/// The reason of the most recent OpenSSL error (no data, never key bytes),
/// and an empty queue afterwards so the host's TLS code starts clean.
std::string takeOpenSslReason()
{
    unsigned long code = ERR_peek_last_error();
    const char* reason = code ? ERR_reason_error_string(code) : nullptr;
    ERR_clear_error();
    return reason ? reason : "";
}

/// The labels of the PEM blocks in `text` ("RSA PRIVATE KEY", "CERTIFICATE", ...).
/// Only the armour lines are read, never the base64 between them.
std::vector<std::string> pemLabels(const std::string& text)
{
    static const std::string begin = "-----BEGIN ";
    std::vector<std::string> labels;
    for (std::size_t at = text.find(begin); at != std::string::npos; at = text.find(begin, at + 1))
    {
        const std::size_t start = at + begin.size();
        const std::size_t end = text.find("-----", start);
        if (end == std::string::npos || text.find('\n', start) < end)
            continue;
        labels.push_back(text.substr(start, end - start));
    }
    return labels;
}

bool hasLabel(const std::vector<std::string>& labels, const std::string& label)
{
    for (const auto& l : labels)
    {
        if (l == label)
            return true;
    }
    return false;
}

/// Why `text` did not load as a private key, from its armour alone
/// (OpenSSL's own reason, e.g. "unsupported", says less).
std::string diagnose(const std::string& text)
{
    const std::vector<std::string> labels = pemLabels(text);
    if (labels.empty())
    {
        // A path written where { file: PATH } was meant is a common slip.
        if (!text.empty() && text.front() == '/' && text.find_first_of(" \t\r\n") == std::string::npos)
            return std::string(kExpected) + ": it looks like a file path; write { file: " + text + " }";
        return std::string(kExpected) + ": no -----BEGIN line found";
    }
    if (hasLabel(labels, "ENCRYPTED PRIVATE KEY") || text.find("Proc-Type: 4,ENCRYPTED") != std::string::npos)
        return "the private key is encrypted; the broker needs it unencrypted (protect the file with its permissions, "
               "e.g. `openssl pkey -in KEY -out KEY.plain`)";
    if (hasLabel(labels, "RSA PRIVATE KEY") || hasLabel(labels, "PRIVATE KEY"))
        return std::string(kExpected) + ": the key block does not decode (truncated or damaged?)";
    if (hasLabel(labels, "PUBLIC KEY") || hasLabel(labels, "RSA PUBLIC KEY"))
        return std::string(kExpected) + ": it holds a public key; use the private key (the console's private_key.pem)";
    if (hasLabel(labels, "CERTIFICATE"))
        return std::string(kExpected) + ": it holds a certificate, not a private key";
    return std::string(kExpected) + ": it holds a '" + labels.front() + "' block";
}

/// Turns "\n" escapes into line breaks when the text has no real ones.
std::string unescapeLineBreaks(const std::string& text)
{
    if (text.find('\n') != std::string::npos || text.find("\\n") == std::string::npos)
        return text;
    std::string result;
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n')
        {
            result += '\n';
            ++i;
        }
        else
            result += text[i];
    }
    return result;
}

} // namespace

RsaSigningKey::RsaSigningKey(const std::string& pemText)
{
    const std::string pem = unescapeLineBreaks(pemText);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio)
        throw std::runtime_error("out of memory reading the private key");
    ERR_clear_error();
    _key = PEM_read_bio_PrivateKey(bio.get(), nullptr, &noPassphrase, nullptr);
    if (!_key)
    {
        ERR_clear_error();
        throw KeyRejected(diagnose(pem));
    }
    ERR_clear_error();
    if (EVP_PKEY_get_base_id(_key) != EVP_PKEY_RSA)
    {
        const char* type = EVP_PKEY_get0_type_name(_key);
        const std::string name = type ? type : "non-RSA";
        release();
        throw KeyRejected(std::string(kExpected) + ": it is a key of type " + name +
                          "; Coze JWT apps sign with RS256 and need an RSA key");
    }
    _bits = EVP_PKEY_get_bits(_key);
    if (_bits < minimumBits)
    {
        release();
        throw KeyRejected("the RSA key has " + std::to_string(_bits) + " bits; RS256 requires at least " +
                          std::to_string(minimumBits));
    }
    prepareSigner();
    // PEM_read_bio_PrivateKey takes the first private-key block.
    for (const auto& label : pemLabels(pem))
    {
        if (label == "RSA PRIVATE KEY" || label == "PRIVATE KEY")
        {
            _format = label == "RSA PRIVATE KEY" ? "PKCS#1" : "PKCS#8";
            break;
        }
    }
}

RsaSigningKey::~RsaSigningKey()
{
    for (EVP_PKEY_CTX* signer : _idleSigners)
        EVP_PKEY_CTX_free(signer);
    release();
}

std::shared_ptr<const RsaSigningKey> RsaSigningKey::shared(const std::string& pem)
{
    // Keyed by a digest, so the cache holds no copy of the key's text.
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(pem.data(), pem.size(), digest, &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed: " + takeOpenSslReason());
    const std::string id(reinterpret_cast<const char*>(digest), length);

    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<const RsaSigningKey>> keys;
    std::lock_guard<std::mutex> lock(mutex);
    if (auto key = keys[id].lock())
        return key;
    // Parsed under the lock: profiles that start together with one key
    // wait for the first parse instead of each making their own.
    auto key = std::make_shared<const RsaSigningKey>(pem);
    keys[id] = key;
    for (auto it = keys.begin(); it != keys.end();)
        it = it->second.expired() ? keys.erase(it) : std::next(it);
    return key;
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
