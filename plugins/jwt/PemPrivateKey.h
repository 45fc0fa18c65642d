#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace TokenBroker::Jwt {

/// The PEM text is not a usable private key. The message says why in words
/// an operator can act on and never quotes the key.
class KeyRejected : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// What a caller expects of a key, for messages: "RSA" with its block
/// labels "RSA PRIVATE KEY" (PKCS#1) and "PRIVATE KEY" (PKCS#8).
struct ExpectedKey
{
    std::string kind;                    ///< "RSA", "EC"
    std::string forms;                   ///< "PKCS#1 or PKCS#8"
    std::vector<std::string> labels;     ///< the PEM block labels it may come in
};

/// Parses an unencrypted PEM private key; an encrypted one is refused, never
/// prompted for (OpenSSL's default callback would ask on the terminal, which
/// a daemon must never do). Text that carries `\n` escapes instead of line
/// breaks (a PEM pasted into one environment variable) is accepted. Throws
/// KeyRejected saying why, from the armour alone. The caller owns the key.
EVP_PKEY* loadPemPrivateKey(const std::string& text, const ExpectedKey& expected);

/// The label of the first private-key block of `text` that `expected` names.
std::string privateKeyLabel(const std::string& text, const ExpectedKey& expected);

/// The reason of the most recent OpenSSL error (no data, never key bytes),
/// with the queue emptied so the host's TLS code starts clean.
std::string takeOpenSslReason();

/// The text's SHA-256, for keying caches of parsed keys without holding
/// their text. Throws std::runtime_error when OpenSSL fails.
std::string pemDigest(const std::string& text);

/// The `Key` parsed from `pem`, shared by every caller with the same text
/// while any of them holds it: a thousand profiles of one key share one
/// parsed key instead of a thousand. Keyed by a digest, so the cache holds
/// no copy of the key's text. Parsed under the lock: profiles that start
/// together with one key wait for the first parse instead of each making
/// their own. Throws as Key's constructor does.
template <class Key>
std::shared_ptr<const Key> sharedKey(const std::string& pem)
{
    const std::string id = pemDigest(pem);
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<const Key>> keys;
    std::lock_guard<std::mutex> lock(mutex);
    if (auto key = keys[id].lock())
        return key;
    auto key = std::make_shared<const Key>(pem);
    keys[id] = key;
    for (auto it = keys.begin(); it != keys.end();)
        it = it->second.expired() ? keys.erase(it) : std::next(it);
    return key;
}

} // namespace TokenBroker::Jwt
