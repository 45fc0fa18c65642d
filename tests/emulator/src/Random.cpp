#include "Random.h"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace TokenBroker::Emulator::Random {

std::string fromAlphabet(const std::string& alphabet, std::size_t length)
{
    // Rejection sampling keeps the distribution uniform for any alphabet size.
    const unsigned limit = 256 - (256 % alphabet.size());
    std::string result;
    std::vector<unsigned char> buffer(length * 2 + 16);
    while (result.size() < length)
    {
        if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1)
            throw std::runtime_error("RAND_bytes failed");
        for (unsigned char byte : buffer)
        {
            if (byte < limit)
                result.push_back(alphabet[byte % alphabet.size()]);
            if (result.size() == length)
                break;
        }
    }
    return result;
}

std::string hex(std::size_t bytes)
{
    return fromAlphabet("0123456789abcdef", bytes * 2);
}

std::string alphanumeric(std::size_t length)
{
    return fromAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", length);
}

} // namespace TokenBroker::Emulator::Random
