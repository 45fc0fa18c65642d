#pragma once

#include <string>

namespace TokenBroker::Emulator::Pkce {

/// True for the two methods Coze knows, `S256` and `plain`.
bool isSupportedMethod(const std::string& method);

/// BASE64URL-NOPAD(SHA256(verifier)).
std::string s256Challenge(const std::string& verifier);

/// Whether `verifier` proves possession for `challenge` under `method`
/// (empty method = `plain`, the server default). No RFC 7636 length limits:
/// the Go SDK sends 16-character verifiers and Coze accepts them.
bool matches(const std::string& verifier, const std::string& challenge, const std::string& method);

} // namespace TokenBroker::Emulator::Pkce
