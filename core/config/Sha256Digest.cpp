#include "Sha256Digest.h"

#include <openssl/evp.h>

#include <new>

namespace TokenBroker {

Sha256Digest::Sha256Digest()
    : _context(EVP_MD_CTX_new())
{
    if (!_context)
        throw std::bad_alloc();
    reset();
}

Sha256Digest::~Sha256Digest()
{
    EVP_MD_CTX_free(_context);
}

void Sha256Digest::reset()
{
    EVP_DigestInit_ex(_context, EVP_sha256(), nullptr);
}

void Sha256Digest::updateImpl(const void* data, std::size_t length)
{
    EVP_DigestUpdate(_context, data, length);
}

const Poco::DigestEngine::Digest& Sha256Digest::digest()
{
    unsigned char bytes[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(_context, bytes, &length);
    _digest.assign(bytes, bytes + length);
    reset();
    return _digest;
}

std::string Sha256Digest::hex(const std::string& text)
{
    Sha256Digest sha256;
    sha256.update(text);
    return Poco::DigestEngine::digestToHex(sha256.digest());
}

} // namespace TokenBroker
