#pragma once

#include "YamlReader.h"

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace TokenBroker {

/// The texts of the files one configuration's references have read, so that
/// profiles naming the same file (10,000 profiles sharing one key) read it
/// once per load. Only successful reads are kept: every profile that names
/// a missing or exposed file gets its own error at its own position.
class ReferencedFiles
{
public:
    const std::string* find(const std::string& path, bool secret) const;
    void keep(const std::string& path, bool secret, const std::string& text);

private:
    std::map<std::pair<std::string, bool>, std::string> _texts;
};

/// Resolves a value that may be written three ways:
///   token: "pat_..."                      literal
///   token: { file: /etc/tokenbroker/pat } contents of a file (one trailing newline dropped)
///   token: { env: COZE_API_TOKEN }        an environment variable
/// Errors name the setting and the file or variable, never the value. A
/// file must be a regular file of at most 64 KiB, and a `secret` one
/// private to its owner (readSettingFile). With `files`, a file read
/// earlier in the same load is taken from there.
std::optional<std::string> resolveReference(const ConfigNode& value, const std::string& what,
                                            const std::string& baseDirectory, bool secret, YamlReader& reader,
                                            ReferencedFiles* files = nullptr);

} // namespace TokenBroker
