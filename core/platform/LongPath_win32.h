#pragma once

// Paths for the W functions of the Windows implementations in platform/ (not
// a platform interface: only *_win32.cpp files and Windows tests include it).

#include <string>

namespace TokenBroker::Win32 {

/// The extended-length form (`\\?\C:\...`, `\\?\UNC\server\share\...`) of a
/// full path, in which the W functions accept up to 32767 characters instead
/// of MAX_PATH (260). Forward slashes become backslashes, since that form
/// takes every character literally. Already extended or device paths
/// (`\\?\`, `\\.\`) come back with only their slashes normalised; a path
/// that is not full (relative, `\dir`, `C:dir`) cannot be extended and
/// comes back the same way. Pure: no file-system access.
std::wstring extendedLengthPath(std::wstring path);

/// `path` (UTF-8; absolute or relative to the current directory; `/` or
/// `\`) as a full extended-length UTF-16 path for any W function that takes
/// a file or directory name: `.` and `..` are resolved first
/// (GetFullPathNameW), as the extended form would take them literally.
std::wstring longPath(const std::string& path);

/// The ordinary form of an extended-length path (`\\?\C:\x` -> `C:\x`,
/// `\\?\UNC\s\x` -> `\\s\x`), for paths Windows hands back; others unchanged.
std::wstring ordinaryPath(std::wstring path);

} // namespace TokenBroker::Win32
