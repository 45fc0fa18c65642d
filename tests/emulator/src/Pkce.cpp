#include "Pkce.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/DigestEngine.h>

#include <sstream>

namespace TokenBroker::Emulator::Pkce {

bool isSupportedMethod(const std::string& method)
{
    return method.empty() || method == "S256" || method == "plain";
}

std::string s256Challenge(const std::string& verifier)
{
    Poco::Crypto::DigestEngine sha256("SHA256");
    sha256.update(verifier);
    const auto& digest = sha256.digest();
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
    encoder.close();
    return out.str();
}

bool matches(const std::string& verifier, const std::string& challenge, const std::string& method)
{
    if (verifier.empty())
        return false;
    if (method == "S256")
        return s256Challenge(verifier) == challenge;
    if (method.empty() || method == "plain")
        return verifier == challenge;
    return false;
}

} // namespace TokenBroker::Emulator::Pkce
