#include "AtomicFile.h"

#include "FileSystem.h"
#include "SecurityDescriptor_win32.h"
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

std::optional<std::string> modeUnsupportedReason()
{
    return std::string("'mode' has no meaning on Windows, where a token file gets an access control list instead: "
                       "full control for SYSTEM, Administrators and the service's account, read access for the "
                       "output's 'owner' and 'group' (account or group names, or SIDs such as S-1-5-32-545); "
                       "remove 'mode' and name the readers there");
}

// The mode does not apply (the config loader refuses an explicit one): the
// file gets the DACL built from owner and group, set on the temporary file
// before any content is written (docs/windows-security.md).
void writeFileAtomically(const std::string& path, const std::string& content, const FileAttributes& attributes,
                         bool createParents)
{
    const Win32::SecurityDescriptor security = [&] {
        try
        {
            return Win32::fileSecurity(attributes.owner, attributes.group);
        }
        catch (const std::invalid_argument& e)
        {
            throw WriteError("cannot write " + path + ": " + e.what());
        }
    }();
    Poco::Path target(path);
    const std::string dir = target.parent().toString();
    if (createParents)
        Poco::File(dir).createDirectories();
    std::random_device random;
    const std::string tempPath = dir + "." + target.getFileName() + ".tmp." + std::to_string(random());
    HANDLE file = ::CreateFileW(wide(tempPath).c_str(), GENERIC_WRITE | WRITE_DAC, 0, nullptr, CREATE_NEW,
                                FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
        throw WriteError(lastError("cannot create", tempPath));
    try
    {
        security.applyTo(file, tempPath);
    }
    catch (const WriteError&)
    {
        ::CloseHandle(file);
        ::DeleteFileW(wide(tempPath).c_str());
        throw;
    }
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
