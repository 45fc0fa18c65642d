#include "PemPrivateKey.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <memory>

namespace TokenBroker::Jwt {

namespace {

/// Refuses every passphrase request, so an encrypted key fails instead of
/// OpenSSL's default callback prompting on the terminal.
int noPassphrase(char*, int, int, void*)
{
    return 0;
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
    return std::find(labels.begin(), labels.end(), label) != labels.end();
}

/// Why `text` did not load as a private key, from its armour alone
/// (OpenSSL's own reason, e.g. "unsupported", says less).
std::string diagnose(const std::string& text, const ExpectedKey& key)
{
    const std::string expected = "not a PEM " + key.kind + " private key (" + key.forms + ")";
    const std::vector<std::string> labels = pemLabels(text);
    if (labels.empty())
    {
        // A path written where { file: PATH } was meant is a common slip.
        if (!text.empty() && text.front() == '/' && text.find_first_of(" \t\r\n") == std::string::npos)
            return expected + ": it looks like a file path; write { file: " + text + " }";
        return expected + ": no -----BEGIN line found";
    }
    if (hasLabel(labels, "ENCRYPTED PRIVATE KEY") || text.find("Proc-Type: 4,ENCRYPTED") != std::string::npos)
        return "the private key is encrypted; the broker needs it unencrypted (protect the file with its permissions, "
               "e.g. `openssl pkey -in KEY -out KEY.plain`)";
    for (const auto& label : key.labels)
    {
        if (hasLabel(labels, label))
            return expected + ": the key block does not decode (truncated or damaged?)";
    }
    if (hasLabel(labels, "PUBLIC KEY") || hasLabel(labels, "RSA PUBLIC KEY"))
        return expected + ": it holds a public key; use the private key (the console's private_key.pem)";
    if (hasLabel(labels, "CERTIFICATE"))
        return expected + ": it holds a certificate, not a private key";
    return expected + ": it holds a '" + labels.front() + "' block";
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

std::string takeOpenSslReason()
{
    unsigned long code = ERR_peek_last_error();
    const char* reason = code ? ERR_reason_error_string(code) : nullptr;
    ERR_clear_error();
    return reason ? reason : "";
}

std::string pemDigest(const std::string& text)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed: " + takeOpenSslReason());
    return std::string(reinterpret_cast<const char*>(digest), length);
}

EVP_PKEY* loadPemPrivateKey(const std::string& text, const ExpectedKey& expected)
{
    const std::string pem = unescapeLineBreaks(text);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio)
        throw std::runtime_error("out of memory reading the private key");
    ERR_clear_error();
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, &noPassphrase, nullptr);
    ERR_clear_error();
    if (!key)
        throw KeyRejected(diagnose(pem, expected));
    return key;
}

std::string privateKeyLabel(const std::string& text, const ExpectedKey& expected)
{
    // PEM_read_bio_PrivateKey takes the first private-key block.
    for (const auto& label : pemLabels(unescapeLineBreaks(text)))
    {
        if (hasLabel(expected.labels, label))
            return label;
    }
    return {};
}

} // namespace TokenBroker::Jwt
