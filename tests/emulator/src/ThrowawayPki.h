#pragma once

#include "KeyMaterial.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace TokenBroker::Emulator {

/// An in-memory CA and a server certificate it issued for 127.0.0.1 and
/// localhost (IP and DNS subjectAltNames), so clients can verify the chain
/// and the host name strictly instead of switching verification off.
class ThrowawayPki
{
public:
    static ThrowawayPki create();

    std::string caCertificatePem() const;
    std::string serverCertificatePem() const;
    std::string serverKeyPem() const;

    /// Installs the server certificate and key into an SSL_CTX.
    void install(SSL_CTX* context) const;

private:
    ThrowawayPki(KeyMaterial caKey, X509* caCert, KeyMaterial serverKey, X509* serverCert);

    KeyMaterial _caKey;
    std::shared_ptr<X509> _caCert;
    KeyMaterial _serverKey;
    std::shared_ptr<X509> _serverCert;
};

} // namespace TokenBroker::Emulator
