#include "FileLock.h"
#include "LongPath_win32.h"

#include <windows.h>

#include <thread>

namespace TokenBroker {

using Win32::longPath;

namespace {

bool lockWhole(HANDLE file, DWORD flags)
{
    OVERLAPPED whole = {};
    return ::LockFileEx(file, flags, 0, MAXDWORD, MAXDWORD, &whole) != 0;
}

} // namespace

void FileLock::open(const std::string& path)
{
    HANDLE file = ::CreateFileW(longPath(path).c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
        throw WriteError("cannot open lock file " + path + ": Windows error " + std::to_string(::GetLastError()));
    _handle = reinterpret_cast<std::intptr_t>(file);
}

FileLock::FileLock(const std::string& path)
{
    open(path);
    HANDLE file = reinterpret_cast<HANDLE>(_handle);
    if (!lockWhole(file, LOCKFILE_EXCLUSIVE_LOCK))
    {
        DWORD error = ::GetLastError();
        ::CloseHandle(file);
        throw WriteError("cannot lock " + path + ": Windows error " + std::to_string(error));
    }
}

FileLock::FileLock(const std::string& path, std::chrono::milliseconds maxWait)
{
    open(path);
    HANDLE file = reinterpret_cast<HANDLE>(_handle);
    const auto deadline = std::chrono::steady_clock::now() + maxWait;
    while (!lockWhole(file, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY))
    {
        DWORD error = ::GetLastError();
        if (error != ERROR_LOCK_VIOLATION || std::chrono::steady_clock::now() >= deadline)
        {
            ::CloseHandle(file);
            if (error == ERROR_LOCK_VIOLATION)
                throw LockBusy(path + " is locked by another process");
            throw WriteError("cannot lock " + path + ": Windows error " + std::to_string(error));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

FileLock::~FileLock()
{
    ::CloseHandle(reinterpret_cast<HANDLE>(_handle));
}

bool FileLock::isHeld(const std::string& path)
{
    HANDLE file = ::CreateFileW(longPath(path).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
        return false;
    const bool held = !lockWhole(file, LOCKFILE_FAIL_IMMEDIATELY) && ::GetLastError() == ERROR_LOCK_VIOLATION;
    ::CloseHandle(file);
    return held;
}

} // namespace TokenBroker
