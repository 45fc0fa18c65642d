#include "TestKeys.h"

#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace TokenBroker::Test {

namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Key checked(EVP_PKEY* key, const char* what)
{
    if (!key)
        throw std::runtime_error(std::string("OpenSSL could not ") + what);
    return Key(key, &EVP_PKEY_free);
}

/// Written private to its owner. BIO_new_file takes UTF-8 names on Windows too, unlike std::ofstream.
template <typename Write>
void writePem(const std::string& path, Write write)
{
    Bio file(BIO_new_file(path.c_str(), "w"), &BIO_free);
    if (!file || write(file.get()) != 1)
        throw std::runtime_error("cannot write the key file " + path);
    // As a key file must be for the broker to read it (ssh's rule).
#ifndef _WIN32
    ::chmod(path.c_str(), 0600);
#endif
}

} // namespace

void writeRsaKeyPair(const std::string& privatePem, const std::string& publicPem)
{
    Key key = checked(EVP_RSA_gen(2048), "generate an RSA key");
    writePem(privatePem,
             [&](BIO* out) { return PEM_write_bio_PrivateKey(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    writePem(publicPem, [&](BIO* out) { return PEM_write_bio_PUBKEY(out, key.get()); });
}

void writeTraditionalRsaKey(const std::string& privatePem, const std::string& traditionalPem)
{
    Bio in(BIO_new_file(privatePem.c_str(), "r"), &BIO_free);
    if (!in)
        throw std::runtime_error("cannot read the key file " + privatePem);
    Key key = checked(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), "read a private key");
    writePem(traditionalPem, [&](BIO* out) {
        return PEM_write_bio_PrivateKey_traditional(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
}

void writeEcKey(const std::string& privatePem)
{
    Key key = checked(EVP_EC_gen("P-256"), "generate a P-256 key");
    writePem(privatePem, [&](BIO* out) {
        return PEM_write_bio_PrivateKey_traditional(out, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
}

namespace {

using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;

void addExtension(X509* certificate, X509* issuer, int nid, const std::string& value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    if (!extension || X509_add_ext(certificate, extension, -1) != 1)
        throw std::runtime_error("OpenSSL could not add the certificate extension " + value);
    X509_EXTENSION_free(extension);
}

Certificate issue(const std::string& commonName, EVP_PKEY* subjectKey, X509* issuer, long serial)
{
    Certificate certificate(X509_new(), &X509_free);
    X509_set_version(certificate.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 24 * 3600);
    X509_set_pubkey(certificate.get(), subjectKey);
    X509_NAME* name = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(commonName.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(certificate.get(), issuer ? X509_get_subject_name(issuer) : name);
    return certificate;
}

void sign(X509* certificate, EVP_PKEY* key)
{
    if (X509_sign(certificate, key, EVP_sha256()) <= 0)
        throw std::runtime_error("OpenSSL could not sign a certificate");
}

void writeCertificate(const std::string& path, X509* certificate)
{
    writePem(path, [&](BIO* out) { return PEM_write_bio_X509(out, certificate); });
}

void writeKey(const std::string& path, EVP_PKEY* key)
{
    writePem(path, [&](BIO* out) { return PEM_write_bio_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

} // namespace

void writeServerPki(const std::string& directory, const std::string& subjectAltName)
{
    Key caKey = checked(EVP_EC_gen("P-256"), "generate a P-256 key");
    Certificate ca = issue("test CA", caKey.get(), nullptr, 1);
    addExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    addExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    sign(ca.get(), caKey.get());

    Key serverKey = checked(EVP_EC_gen("P-256"), "generate a P-256 key");
    Certificate server = issue("server", serverKey.get(), ca.get(), 2);
    addExtension(server.get(), ca.get(), NID_subject_alt_name, subjectAltName);
    addExtension(server.get(), ca.get(), NID_authority_key_identifier, "keyid");
    sign(server.get(), caKey.get());

    const std::string base = directory + "/";
    writeCertificate(base + "ca.pem", ca.get());
    writeKey(base + "ca.key", caKey.get());
    writeCertificate(base + "server.pem", server.get());
    writeKey(base + "server.key", serverKey.get());
}

} // namespace TokenBroker::Test
