#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace TokenBroker {

/// General file-system helpers; failures throw WriteError (AtomicFile.h).

/// Creates `path` and its missing parents with mode 0750; an existing
/// directory is left as it is.
void makeDirectories(const std::string& path);

/// Creates `path` (and missing parents) readable by the owner only (0700);
/// an existing directory open to group or others is tightened to 0700. On
/// Windows its DACL becomes Win32::privateDirectorySecurity() (SYSTEM,
/// Administrators and this process's account; SecurityDescriptor_win32.h).
void makePrivateDirectory(const std::string& path);

/// Removes a file if present; a missing file is not an error.
void removeFile(const std::string& path);

/// Renames a file, replacing `to` if it exists.
void renameFile(const std::string& from, const std::string& to);

/// Whether `path` names an existing directory (false when it cannot be
/// inspected).
bool isDirectory(const std::string& path);

/// readWholeFile() found no file at the path.
class FileMissing : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// readWholeFile() stopped at its limit: the file is larger.
class FileTooLarge : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// The content of a file. Throws FileMissing when there is none, FileTooLarge
/// when it holds more than `limit` bytes (read no further, so a hostile file
/// or a device such as /dev/zero cannot exhaust memory), and
/// std::runtime_error ("cannot read PATH: Permission denied") when it exists
/// but cannot be read.
std::string readWholeFile(const std::string& path, std::size_t limit = static_cast<std::size_t>(-1));

/// readSettingFile() refused a file: not a regular file, or a secret that
/// others could read or change.
class FileExposed : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// readWholeFile() for a file a setting is read from ({file: PATH}): a
/// regular file only (a FIFO or a device planted there cannot hang or flood
/// the daemon), read up to `limit`. When `secret` (a private key, a client
/// secret, a token) it must also, on POSIX and as ssh requires, be closed to
/// group and others. Both are judged on the descriptor the content is read
/// from. On Windows only the size is checked (the ACL is not judged).
std::string readSettingFile(const std::string& path, std::size_t limit, bool secret);

/// The directory part of `path` ("." when there is none).
std::string parentDirectory(const std::string& path);

/// Separates the entries of a list of paths in one environment variable
/// (':' on POSIX, ';' on Windows), e.g. TOKENBROKER_OUTPUTS.
extern const char pathListSeparator;

} // namespace TokenBroker
