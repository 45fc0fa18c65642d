#include "AtomicFile.h"

#include "AtomicFile_win32.h"
#include "FileSystem.h"
#include "SecurityDescriptor_win32.h"
#include "LongPath_win32.h"
#include "Win32Text_win32.h"

#include <Poco/Path.h>

#include <windows.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

namespace TokenBroker {

using Win32::lastError;
using Win32::longPath;

namespace {

std::atomic<std::size_t> refusedReplaces{0};

std::string replaceFailure(const std::string& path, DWORD code)
{
    const std::string error = "Windows error " + std::to_string(code);
    const std::string waited = std::to_string(Win32::replaceRetryBound.count()) + " ms";
    if (code == ERROR_SHARING_VIOLATION)
        return "cannot replace " + path + ": another process holds it open (" + error + ", still after " + waited +
               ")";
    if (code == ERROR_ACCESS_DENIED)
        return "cannot replace " + path + ": access denied (" + error + ", still after " + waited +
               "): another process holds it open, or this account may not replace it";
    return "cannot replace " + path + ": " + error;
}

} // namespace

std::size_t Win32::refusedReplaceAttempts()
{
    return refusedReplaces;
}

std::optional<std::string> modeUnsupportedReason()
{
    return std::string("'mode' has no meaning on Windows, where a token file gets an access control list instead: "
                       "full control for SYSTEM, Administrators and the service's account, read access for the "
                       "output's 'owner' and 'group' (account or group names, or SIDs such as S-1-5-32-545); "
                       "remove 'mode' and name the readers there");
}

std::string describeAccess(const FileAttributes& attributes)
{
    std::string readers = "ACL: SYSTEM, Administrators, the service account";
    for (const std::string* reader : {&attributes.owner, &attributes.group})
    {
        if (!reader->empty())
            readers += ", " + *reader;
    }
    return readers;
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
        makeDirectories(dir);
    std::random_device random;
    const std::string tempPath = dir + "." + target.getFileName() + ".tmp." + std::to_string(random());
    HANDLE file = ::CreateFileW(longPath(tempPath).c_str(), GENERIC_WRITE | WRITE_DAC, 0, nullptr, CREATE_NEW,
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
        ::DeleteFileW(longPath(tempPath).c_str());
        throw;
    }
    DWORD written = 0;
    BOOL ok = ::WriteFile(file, content.data(), static_cast<DWORD>(content.size()), &written, nullptr) &&
              written == content.size() && ::FlushFileBuffers(file);
    std::string failure = ok ? std::string() : lastError("cannot write", tempPath);
    ::CloseHandle(file);
    if (!ok)
    {
        ::DeleteFileW(longPath(tempPath).c_str());
        throw WriteError(failure);
    }
    // Readers holding the target open: see Win32::replaceRetryBound.
    const auto deadline = std::chrono::steady_clock::now() + Win32::replaceRetryBound;
    while (!::MoveFileExW(longPath(tempPath).c_str(), longPath(path).c_str(),
                          MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
    {
        const DWORD code = ::GetLastError();
        const bool held = code == ERROR_SHARING_VIOLATION || code == ERROR_ACCESS_DENIED;
        if (held)
            ++refusedReplaces;
        if (!held || std::chrono::steady_clock::now() >= deadline)
        {
            ::DeleteFileW(longPath(tempPath).c_str());
            throw WriteError(replaceFailure(path, code));
        }
        std::this_thread::sleep_for(Win32::replaceRetryInterval);
    }
}

} // namespace TokenBroker
