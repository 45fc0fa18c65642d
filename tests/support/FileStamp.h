#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace TokenBroker::Test {

/// What tells one version of a file from the next without reading it: its
/// modification time and its identity on the volume (inode; Windows file
/// index). A rewrite, even with the same content, changes one of them.
struct FileStamp
{
    std::int64_t mtimeNs = 0;
    std::uint64_t fileId = 0;
};

/// Nothing when the file does not exist.
std::optional<FileStamp> fileStamp(const std::string& path);

} // namespace TokenBroker::Test
