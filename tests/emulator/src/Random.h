#pragma once

#include <string>

namespace TokenBroker::Emulator::Random {

/// `length` characters drawn uniformly from `alphabet` using OpenSSL's CSPRNG:
/// issued codes and tokens are bearer secrets even in an emulator, and
/// predictable ones would let tests pass by accident.
std::string fromAlphabet(const std::string& alphabet, std::size_t length);

/// Lower-case hex of `bytes` random bytes.
std::string hex(std::size_t bytes);

/// Letters and digits, the shape of Coze's opaque tokens.
std::string alphanumeric(std::size_t length);

} // namespace TokenBroker::Emulator::Random
