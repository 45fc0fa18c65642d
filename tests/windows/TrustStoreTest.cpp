// TLS trust on Windows: without a ca_file the client trusts the Windows ROOT
// certificate store (OpenSSL does not read it by itself), and a ca_file
// replaces that trust. The servers are coze emulators in this process, each
// with its own throwaway CA.

#define BOOST_TEST_MODULE TrustStoreTest
#include <boost/test/unit_test.hpp>

#include "EmulatorServer.h"
#include "HttpClient.h"
#include "TempDir.h"
#include "ThrowawayPki.h"

#include <Poco/Net/Net.h>

#include <windows.h>
#include <wincrypt.h>

#include <iostream>
#include <memory>
#include <stdexcept>
#include <vector>

using TokenBroker::HttpClient;
using TokenBroker::HttpRequest;
using TokenBroker::HttpTimeouts;
using TokenBroker::TransportError;
using TokenBroker::Emulator::EmulatorServer;
using TokenBroker::Emulator::ThrowawayPki;
using TokenBroker::Test::TempDir;
using TokenBroker::Test::writeFile;

namespace {

std::vector<BYTE> derOf(const std::string& pem)
{
    DWORD size = 0;
    if (!::CryptStringToBinaryA(pem.c_str(), 0, CRYPT_STRING_BASE64HEADER, nullptr, &size, nullptr, nullptr))
        throw std::runtime_error("not a PEM certificate");
    std::vector<BYTE> der(size);
    ::CryptStringToBinaryA(pem.c_str(), 0, CRYPT_STRING_BASE64HEADER, der.data(), &size, nullptr, nullptr);
    return der;
}

/// A CA certificate added to the Windows ROOT store for the object's
/// lifetime: the store persists (wine keeps it in the prefix's registry), so
/// it is removed again however the test ends.
class RootStoreEntry
{
public:
    explicit RootStoreEntry(const std::string& pem)
        : _der(derOf(pem))
    {
        HCERTSTORE store = ::CertOpenSystemStoreW(0, L"ROOT");
        if (!store)
            throw std::runtime_error("cannot open the ROOT store: Windows error " + std::to_string(::GetLastError()));
        const BOOL added = ::CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING, _der.data(),
                                                              static_cast<DWORD>(_der.size()), CERT_STORE_ADD_NEW,
                                                              nullptr);
        const DWORD error = ::GetLastError();
        ::CertCloseStore(store, 0);
        if (!added)
            throw std::runtime_error("cannot add the test CA to the ROOT store: Windows error " + std::to_string(error));
    }

    ~RootStoreEntry()
    {
        if (!remove())
            std::cerr << "warning: the test CA could not be removed from the ROOT store\n";
    }

    RootStoreEntry(const RootStoreEntry&) = delete;
    RootStoreEntry& operator=(const RootStoreEntry&) = delete;

private:
    bool remove()
    {
        PCCERT_CONTEXT ours =
            ::CertCreateCertificateContext(X509_ASN_ENCODING, _der.data(), static_cast<DWORD>(_der.size()));
        HCERTSTORE store = ::CertOpenSystemStoreW(0, L"ROOT");
        if (!ours || !store)
            return false;
        PCCERT_CONTEXT found = ::CertFindCertificateInStore(store, X509_ASN_ENCODING, 0, CERT_FIND_EXISTING, ours,
                                                            nullptr);
        // CertDeleteCertificateFromStore frees `found`, whatever it answers.
        const bool removed = found && ::CertDeleteCertificateFromStore(found);
        ::CertFreeCertificateContext(ours);
        ::CertCloseStore(store, 0);
        return removed;
    }

    std::vector<BYTE> _der;
};

/// An HTTPS emulator in this process whose certificate `pki`'s CA issued.
class Server
{
public:
    explicit Server(const ThrowawayPki& pki)
    {
        writeFile(_dir.file("apps.yaml"), "pats: [pat_ok]\n");
        writeFile(_dir.file("server.pem"), pki.serverCertificatePem());
        writeFile(_dir.file("server.key"), pki.serverKeyPem(), 0600);
        EmulatorServer::Options options;
        options.appsFile = _dir.file("apps.yaml");
        options.certFile = _dir.file("server.pem");
        options.keyFile = _dir.file("server.key");
        _server = std::make_unique<EmulatorServer>(options);
    }

    HttpRequest usersMe() const
    {
        HttpRequest request;
        request.url = _server->baseUrl() + "/v1/users/me";
        request.headers["Authorization"] = "Bearer pat_ok";
        return request;
    }

private:
    TempDir _dir;
    std::unique_ptr<EmulatorServer> _server;
};

/// The CA in the ROOT store, imported before any test makes its first
/// client: the shared TLS context without a ca_file is built once.
struct Authorities
{
    ThrowawayPki inStore = ThrowawayPki::create();
    ThrowawayPki unknown = ThrowawayPki::create();
    RootStoreEntry entry{inStore.caCertificatePem()};
};

Authorities* authorities = nullptr;

struct ImportTestRoot
{
    ImportTestRoot()
    {
        // With static POCO nothing else calls WSAStartup.
        Poco::Net::initializeNetwork();
        authorities = new Authorities;
    }
    ~ImportTestRoot()
    {
        delete authorities;
        Poco::Net::uninitializeNetwork();
    }
};

BOOST_TEST_GLOBAL_FIXTURE(ImportTestRoot);

const HttpTimeouts timeouts{};

} // namespace

BOOST_AUTO_TEST_CASE(a_ca_in_the_windows_root_store_is_trusted_without_a_ca_file)
{
    Server server(authorities->inStore);
    BOOST_TEST(HttpClient("", timeouts).send(server.usersMe()).status == 200);
}

BOOST_AUTO_TEST_CASE(a_ca_outside_the_root_store_is_still_refused)
{
    Server server(authorities->unknown);
    BOOST_CHECK_THROW(HttpClient("", timeouts).send(server.usersMe()), TransportError);
}

BOOST_AUTO_TEST_CASE(a_ca_file_replaces_the_root_store)
{
    TempDir dir;
    writeFile(dir.file("ca.pem"), authorities->unknown.caCertificatePem());
    const HttpClient client(dir.file("ca.pem"), timeouts);
    // The CA of the file is trusted...
    Server fileCa(authorities->unknown);
    BOOST_TEST(client.send(fileCa.usersMe()).status == 200);
    // ... and the store's CA, trusted without a ca_file, no longer is.
    Server storeCa(authorities->inStore);
    BOOST_CHECK_THROW(client.send(storeCa.usersMe()), TransportError);
}
