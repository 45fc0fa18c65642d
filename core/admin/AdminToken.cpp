#include "AdminToken.h"

#include "AtomicFile.h"
#include "FileSystem.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace TokenBroker {

namespace {

constexpr std::size_t kTokenBytes = 32;

std::string hex(const unsigned char* bytes, std::size_t length)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < length; ++i)
    {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0xf];
    }
    return out;
}

} // namespace

AdminToken::AdminToken(std::string value)
    : _value(std::move(value))
{
}

std::string AdminToken::path(const std::string& stateDir)
{
    return stateDir + "/admin.token";
}

AdminToken AdminToken::create(const std::string& stateDir)
{
    unsigned char bytes[kTokenBytes];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw std::runtime_error("cannot make an admin token: the random number generator failed");
    AdminToken token(hex(bytes, sizeof bytes));
    OPENSSL_cleanse(bytes, sizeof bytes);
    writeFileAtomically(path(stateDir), token._value + "\n", FileAttributes{0600, "", ""}, false);
    return token;
}

AdminToken AdminToken::read(const std::string& stateDir)
{
    const std::string file = path(stateDir);
    std::string text;
    try
    {
        text = readWholeFile(file, 1024);
    }
    catch (const std::exception& e)
    {
        throw AdminTokenUnreadable(std::string(e.what()) +
                                 "; reloading, renewing and logging in through the daemon need its admin token: run "
                                 "this as root or as the user the daemon runs as");
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    if (text.size() != 2 * kTokenBytes)
        throw AdminTokenUnreadable(file + " does not hold an admin token; restart the daemon to make a new one");
    return AdminToken(text);
}

bool AdminToken::admits(const std::string& authorizationHeader) const
{
    const std::string expected = authorization();
    if (authorizationHeader.size() != expected.size())
        return false;
    return CRYPTO_memcmp(authorizationHeader.data(), expected.data(), expected.size()) == 0;
}

} // namespace TokenBroker
