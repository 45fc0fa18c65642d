#include "FileSystem.h"

#include "AtomicFile.h"
#include "SecurityDescriptor_win32.h"
#include "Win32Text_win32.h"

#include <Poco/File.h>
#include <Poco/Path.h>

#include <windows.h>

namespace TokenBroker {

using Win32::lastError;
using Win32::wide;

const char pathListSeparator = ';';

std::string parentDirectory(const std::string& path)
{
    return Poco::Path(path).parent().toString();
}

void makeDirectories(const std::string& path)
{
    Poco::File(path).createDirectories();
}

// Applied every time, new or existing: an existing directory is tightened,
// as on POSIX, and what the service creates inside inherits this DACL.
void makePrivateDirectory(const std::string& path)
{
    Poco::File(path).createDirectories();
    Win32::privateDirectorySecurity().applyTo(path);
}

void removeFile(const std::string& path)
{
    if (!::DeleteFileW(wide(path).c_str()) && ::GetLastError() != ERROR_FILE_NOT_FOUND)
        throw WriteError(lastError("cannot remove", path));
}

std::string readWholeFile(const std::string& path)
{
    HANDLE file = ::CreateFileW(wide(path).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
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
    }
    ::CloseHandle(file);
    return content;
}

} // namespace TokenBroker
