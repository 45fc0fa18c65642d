#include "FileSystem.h"

#include "AtomicFile.h"
#include "SecurityDescriptor_win32.h"
#include "LongPath_win32.h"
#include "Win32Text_win32.h"

#include <Poco/Path.h>

#include <windows.h>

namespace TokenBroker {

using Win32::lastError;
using Win32::longPath;

const char pathListSeparator = ';';

std::string parentDirectory(const std::string& path)
{
    return Poco::Path(path).parent().toString();
}

namespace {

/// Creates the directory `full` (extended-length) and its missing parents;
/// `path` is what the caller asked for, for the messages. Not Poco::File:
/// it puts `\\?\` before long paths as they are, forward slashes and UNC
/// names included, which Windows then rejects.
void createDirectoryChain(const std::wstring& full, const std::string& path)
{
    const DWORD attributes = ::GetFileAttributesW(full.c_str());
    if (attributes != INVALID_FILE_ATTRIBUTES)
    {
        if (attributes & FILE_ATTRIBUTE_DIRECTORY)
            return;
        throw WriteError("cannot create directory " + path + ": " + Win32::narrow(Win32::ordinaryPath(full)) +
                         " exists and is not a directory");
    }
    if (::CreateDirectoryW(full.c_str(), nullptr))
        return;
    DWORD code = ::GetLastError();
    const auto separator = full.find_last_of(L'\\');
    // Stop at "\\?\": a drive or share that is missing cannot be created.
    if (code == ERROR_PATH_NOT_FOUND && separator != std::wstring::npos && separator > 4)
    {
        createDirectoryChain(full.substr(0, separator), path);
        if (::CreateDirectoryW(full.c_str(), nullptr))
            return;
        code = ::GetLastError();
    }
    if (code == ERROR_ALREADY_EXISTS)  // made concurrently by someone else
        return;
    throw WriteError("cannot create directory " + path + ": Windows error " + std::to_string(code));
}

void createDirectories(const std::string& path)
{
    if (path.empty())  // the current directory
        return;
    createDirectoryChain(longPath(path), path);
}

} // namespace

void makeDirectories(const std::string& path)
{
    createDirectories(path);
}

// Applied every time, new or existing: an existing directory is tightened,
// as on POSIX, and what the service creates inside inherits this DACL.
void makePrivateDirectory(const std::string& path)
{
    createDirectories(path);
    Win32::privateDirectorySecurity().applyTo(path);
}

void removeFile(const std::string& path)
{
    if (!::DeleteFileW(longPath(path).c_str()) && ::GetLastError() != ERROR_FILE_NOT_FOUND)
        throw WriteError(lastError("cannot remove", path));
}

void renameFile(const std::string& from, const std::string& to)
{
    if (!::MoveFileExW(longPath(from).c_str(), longPath(to).c_str(), MOVEFILE_REPLACE_EXISTING))
        throw WriteError(lastError("cannot rename", from));
}

bool isDirectory(const std::string& path)
{
    const DWORD attributes = ::GetFileAttributesW(longPath(path).c_str());
    return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY);
}

std::string readWholeFile(const std::string& path, std::size_t limit)
{
    HANDLE file = ::CreateFileW(longPath(path).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
    {
        const DWORD code = ::GetLastError();
        if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND)
            throw FileMissing(path + " does not exist");
        throw std::runtime_error("cannot read " + path + ": Windows error " + std::to_string(code));
    }
    std::string content;
    char buffer[8192];
    while (true)
    {
        DWORD got = 0;
        if (!::ReadFile(file, buffer, sizeof buffer, &got, nullptr))
        {
            const DWORD code = ::GetLastError();
            ::CloseHandle(file);
            throw std::runtime_error("cannot read " + path + ": Windows error " + std::to_string(code));
        }
        if (got == 0)
            break;
        content.append(buffer, got);
        if (content.size() > limit)
        {
            ::CloseHandle(file);
            throw FileTooLarge(path + " is larger than " + std::to_string(limit) + " bytes");
        }
    }
    ::CloseHandle(file);
    return content;
}

std::string readSettingFile(const std::string& path, std::size_t limit, bool)
{
    return readWholeFile(path, limit);
}

} // namespace TokenBroker
