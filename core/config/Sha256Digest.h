#pragma once

#include <Poco/DigestEngine.h>

struct evp_md_ctx_st;

namespace TokenBroker {

/// SHA-256 by OpenSSL behind POCO's DigestEngine interface. Fingerprints
/// are taken for every profile at every load: OpenSSL's SHA-256 is several
/// times POCO's own SHA2Engine, and unlike Poco::Crypto::DigestEngine it
/// does not initialise the library (reading /dev/urandom) for each instance
/// made while no other is alive.
class Sha256Digest : public Poco::DigestEngine
{
public:
    Sha256Digest();
    ~Sha256Digest() override;
    Sha256Digest(const Sha256Digest&) = delete;
    Sha256Digest& operator=(const Sha256Digest&) = delete;

    std::size_t digestLength() const override { return 32; }
    void reset() override;
    const Digest& digest() override;

    /// The hex SHA-256 of `text`.
    static std::string hex(const std::string& text);

protected:
    void updateImpl(const void* data, std::size_t length) override;

private:
    evp_md_ctx_st* _context;
    Digest _digest;
};

} // namespace TokenBroker
