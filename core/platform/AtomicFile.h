#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace TokenBroker {

/// Who may read a written file.
struct FileAttributes
{
    unsigned mode = 0600;
    std::string owner;   ///< user name or numeric uid; empty = unchanged
    std::string group;   ///< group name or numeric gid; empty = unchanged
};

/// Why an explicit `mode` cannot be honoured on this platform, or nothing
/// where it can (POSIX). Windows files have access control lists, not mode
/// bits: the config loader refuses `mode` there with this reason.
std::optional<std::string> modeUnsupportedReason();

/// Who may read a file written with `attributes`, for status and `check`
/// output: the mode ("0640") on POSIX; on Windows the readers its DACL
/// names ("ACL: SYSTEM, Administrators, the service account, alice").
std::string describeAccess(const FileAttributes& attributes);

/// A file could not be written; the previous content is still in place.
class WriteError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// Replaces `path` so that a reader sees either the old or the new content,
/// never a partial or empty file, and a crash leaves one of the two: writes a
/// temporary file in the same directory, sets mode and owner (Windows: the
/// DACL of Win32::fileSecurity, SecurityDescriptor_win32.h), syncs it,
/// renames it over the target and syncs the directory. A missing parent
/// directory is created with mode 0750 (`createParents`). On any failure
/// (full disk, permission, unknown owner) the temporary file is removed and
/// WriteError says what failed and where.
void writeFileAtomically(const std::string& path, const std::string& content, const FileAttributes& attributes,
                         bool createParents = true);

} // namespace TokenBroker
