#include "ThrowawayPki.h"

#include "Pem.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace TokenBroker::Emulator {

namespace {

constexpr long validitySeconds = 30L * 86400;
/// Tolerates clients whose clock is a little behind ours.
constexpr long backdateSeconds = 3600;

void check(int ok, const char* what)
{
    if (ok != 1)
        throw std::runtime_error(std::string("certificate generation failed: ") + what);
}

void addExtension(X509* cert, X509* issuer, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!extension)
        throw std::runtime_error(std::string("bad certificate extension ") + value);
    int ok = X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
    check(ok, "add extension");
}

/// A certificate for `subjectKey` signed by `issuerKey`; `issuer` null means
/// self-signed.
X509* newCertificate(const std::string& commonName, const KeyMaterial& subjectKey, X509* issuer,
                     const KeyMaterial& issuerKey)
{
    X509* cert = X509_new();
    if (!cert)
        throw std::runtime_error("X509_new failed");
    try
    {
        check(X509_set_version(cert, 2), "version");
        unsigned char serial[16];
        check(RAND_bytes(serial, sizeof serial), "serial");
        serial[0] &= 0x7f; // positive
        BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
        ASN1_INTEGER* asn1 = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
        BN_free(bn);
        if (!asn1)
            throw std::runtime_error("serial number");
        X509_gmtime_adj(X509_getm_notBefore(cert), -backdateSeconds);
        X509_gmtime_adj(X509_getm_notAfter(cert), validitySeconds);
        X509_NAME* name = X509_get_subject_name(cert);
        check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                         reinterpret_cast<const unsigned char*>("tokenbroker coze-emulator"), -1, -1, 0),
              "subject O");
        check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                         reinterpret_cast<const unsigned char*>(commonName.c_str()), -1, -1, 0),
              "subject CN");
        check(X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name), "issuer");
        check(X509_set_pubkey(cert, subjectKey.get()), "public key");

        X509* issuerCert = issuer ? issuer : cert;
        addExtension(cert, issuerCert, NID_subject_key_identifier, "hash");
        if (issuer)
        {
            addExtension(cert, issuerCert, NID_authority_key_identifier, "keyid:always");
            addExtension(cert, issuerCert, NID_basic_constraints, "critical,CA:FALSE");
            addExtension(cert, issuerCert, NID_key_usage, "critical,digitalSignature,keyEncipherment");
            addExtension(cert, issuerCert, NID_ext_key_usage, "serverAuth");
            addExtension(cert, issuerCert, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
        }
        else
        {
            addExtension(cert, issuerCert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
            addExtension(cert, issuerCert, NID_key_usage, "critical,keyCertSign,cRLSign");
        }
        if (X509_sign(cert, issuerKey.get(), EVP_sha256()) <= 0)
            throw std::runtime_error("signing failed");
        return cert;
    }
    catch (...)
    {
        X509_free(cert);
        throw;
    }
}

std::string certificatePem(X509* cert)
{
    return writePem([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); }, "certificate");
}

} // namespace

ThrowawayPki::ThrowawayPki(KeyMaterial caKey, X509* caCert, KeyMaterial serverKey, X509* serverCert)
    : _caKey(std::move(caKey))
    , _caCert(caCert, &X509_free)
    , _serverKey(std::move(serverKey))
    , _serverCert(serverCert, &X509_free)
{
}

ThrowawayPki ThrowawayPki::create()
{
    KeyMaterial caKey = KeyMaterial::generateEc();
    X509* caCert = newCertificate("coze-emulator throwaway CA", caKey, nullptr, caKey);
    std::shared_ptr<X509> caGuard(caCert, &X509_free);
    KeyMaterial serverKey = KeyMaterial::generateEc();
    X509* serverCert = newCertificate("127.0.0.1", serverKey, caCert, caKey);
    X509_up_ref(caCert);
    return ThrowawayPki(caKey, caCert, serverKey, serverCert);
}

std::string ThrowawayPki::caCertificatePem() const
{
    return certificatePem(_caCert.get());
}

std::string ThrowawayPki::serverCertificatePem() const
{
    return certificatePem(_serverCert.get());
}

std::string ThrowawayPki::serverKeyPem() const
{
    return _serverKey.privateKeyPkcs8Pem();
}

void ThrowawayPki::install(SSL_CTX* context) const
{
    if (SSL_CTX_use_certificate(context, _serverCert.get()) != 1
        || SSL_CTX_use_PrivateKey(context, _serverKey.get()) != 1
        || SSL_CTX_check_private_key(context) != 1)
        throw std::runtime_error("cannot install the generated server certificate");
}

} // namespace TokenBroker::Emulator
