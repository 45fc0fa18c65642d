#include "SystemTrust.h"

#include <Poco/Net/SSLException.h>

#include <windows.h>
#include <wincrypt.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace TokenBroker {

void trustSystemAuthorities(Poco::Net::Context& context)
{
    // The ROOT system store as the current user sees it: the machine's
    // trusted roots plus the user's own (for a service, its account's).
    HCERTSTORE store = ::CertOpenSystemStoreW(0, L"ROOT");
    if (!store)
        throw Poco::Net::SSLContextException("cannot open the Windows ROOT certificate store",
                                             "Windows error " + std::to_string(::GetLastError()));
    X509_STORE* trusted = SSL_CTX_get_cert_store(context.sslContext());
    PCCERT_CONTEXT certificate = nullptr;
    while ((certificate = ::CertEnumCertificatesInStore(store, certificate)) != nullptr)
    {
        const unsigned char* der = certificate->pbCertEncoded;
        X509* x509 = d2i_X509(nullptr, &der, static_cast<long>(certificate->cbCertEncoded));
        // A root OpenSSL cannot parse could not anchor a chain it verifies
        // either: skipping it loses nothing.
        if (!x509)
            continue;
        X509_STORE_add_cert(trusted, x509);
        X509_free(x509);
    }
    ::CertCloseStore(store, 0);
}

} // namespace TokenBroker
