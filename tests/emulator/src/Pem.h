#pragma once

#include <openssl/bio.h>

#include <functional>
#include <string>

namespace TokenBroker::Emulator {

/// Runs an OpenSSL PEM writer (returning 1 on success) against a memory BIO
/// and returns the text; throws std::runtime_error naming `what` on failure.
std::string writePem(const std::function<int(BIO*)>& write, const std::string& what);

} // namespace TokenBroker::Emulator
