#pragma once

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

/// The content of a file. Throws FileMissing when there is none, and
/// std::runtime_error ("cannot read PATH: Permission denied") when it
/// exists but cannot be read.
std::string readWholeFile(const std::string& path);

/// The directory part of `path` ("." when there is none).
std::string parentDirectory(const std::string& path);

/// Separates the entries of a list of paths in one environment variable
/// (':' on POSIX, ';' on Windows), e.g. TOKENBROKER_OUTPUTS.
extern const char pathListSeparator;

} // namespace TokenBroker
