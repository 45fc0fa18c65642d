#include "AtomicFile.h"

#include "FileSystem.h"
#include "Win32Text_win32.h"

#include <Poco/File.h>
#include <Poco/Path.h>

#include <windows.h>

#include <chrono>
#include <random>
#include <thread>

namespace TokenBroker {

using Win32::lastError;
using Win32::wide;

// File modes and owners do not apply on Windows: token files inherit the
// ACL of their directory, which the installer restricts to SYSTEM and
// Administrators (see README, "Windows notes").
void writeFileAtomically(const std::string& path, const std::string& content, const FileAttributes&,
                         bool createParents)
{
    Poco::Path target(path);
    const std::string dir = target.parent().toString();
    if (createParents)
        Poco::File(dir).createDirectories();
    std::random_device random;
    const std::string tempPath = dir + "." + target.getFileName() + ".tmp." + std::to_string(random());
    HANDLE file = ::CreateFileW(wide(tempPath).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                                FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
        throw WriteError(lastError("cannot create", tempPath));
    DWORD written = 0;
    BOOL ok = ::WriteFile(file, content.data(), static_cast<DWORD>(content.size()), &written, nullptr) &&
              written == content.size() && ::FlushFileBuffers(file);
    std::string failure = ok ? std::string() : lastError("cannot write", tempPath);
    ::CloseHandle(file);
    if (!ok)
    {
        ::DeleteFileW(wide(tempPath).c_str());
        throw WriteError(failure);
    }
    // A reader holding the target open without FILE_SHARE_DELETE makes the
    // replace fail with a sharing violation for a moment: retry briefly.
    for (int attempt = 0;; ++attempt)
    {
        if (::MoveFileExW(wide(tempPath).c_str(), wide(path).c_str(),
                          MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
            return;
        if (attempt == 50)
        {
            failure = lastError("cannot replace", path);
            ::DeleteFileW(wide(tempPath).c_str());
            throw WriteError(failure);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace TokenBroker
