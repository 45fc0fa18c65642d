#include "FileLock.h"

#include "AtomicFile.h"

#include <Poco/UnicodeConverter.h>

#include <windows.h>

namespace TokenBroker {

FileLock::FileLock(const std::string& path)
{
    std::wstring wide;
    Poco::UnicodeConverter::convert(path, wide);
    HANDLE file = ::CreateFileW(wide.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
        throw WriteError("cannot open lock file " + path + ": Windows error " + std::to_string(::GetLastError()));
    OVERLAPPED whole = {};
    if (!::LockFileEx(file, LOCKFILE_EXCLUSIVE_LOCK, 0, MAXDWORD, MAXDWORD, &whole))
    {
        DWORD error = ::GetLastError();
        ::CloseHandle(file);
        throw WriteError("cannot lock " + path + ": Windows error " + std::to_string(error));
    }
    _handle = reinterpret_cast<std::intptr_t>(file);
}

FileLock::~FileLock()
{
    ::CloseHandle(reinterpret_cast<HANDLE>(_handle));
}

} // namespace TokenBroker
