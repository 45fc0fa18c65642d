// Private key text as a configuration or a file may hold it: parsed into a
// signing key or refused with KeyRejected, never anything else.
#include "RsaSigningKey.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string pem(reinterpret_cast<const char*>(data), size);
    try
    {
        TokenBroker::Jwt::RsaSigningKey key(pem);
    }
    catch (const TokenBroker::Jwt::KeyRejected&)
    {
    }
    return 0;
}
