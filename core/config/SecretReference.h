#pragma once

#include "YamlReader.h"

#include <optional>
#include <string>

namespace TokenBroker {

/// Resolves a value that may be written three ways:
///   token: "pat_..."                      literal
///   token: { file: /etc/tokenbroker/pat } contents of a file (one trailing newline dropped)
///   token: { env: COZE_API_TOKEN }        an environment variable
/// Errors name the setting and the file or variable, never the value. A
/// file must be a regular file of at most 64 KiB, and a `secret` one
/// private to its owner (readSettingFile).
std::optional<std::string> resolveReference(const YAML::Node& value, const std::string& what,
                                            const std::string& baseDirectory, bool secret, YamlReader& reader);

} // namespace TokenBroker
