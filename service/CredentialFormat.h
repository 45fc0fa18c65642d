#pragma once

#include "Token.h"

#include <cstdint>
#include <string>
#include <vector>

namespace TokenBroker {

/// The forms `tokenbroker token --format` prints a token in:
///   raw              the token and a newline
///   json             as a file output's json format
///   env              COZE_API_TOKEN=TOKEN, quoted for shells and systemd
///   exec-credential  Kubernetes' ExecCredential (client.authentication.k8s.io/v1),
///                    so the command can be named as a credential helper
const std::vector<std::string>& credentialFormats();

/// Whether a token is worth handing to a caller at `nowMs` (Unix ms): one
/// that never expires, or with more than a minute left (half its lifetime
/// for tokens shorter than two minutes).
bool usableForCaller(const Token& token, std::int64_t nowMs);

/// `token` in `format` (one of credentialFormats()).
std::string formatCredential(const Token& token, const std::string& format, const std::string& profile);

} // namespace TokenBroker
