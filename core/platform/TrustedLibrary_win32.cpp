#include "TrustedLibrary.h"

#include "LongPath_win32.h"
#include "PluginTrust.h"
#include "Win32Text_win32.h"

#include <windows.h>

namespace TokenBroker {

TrustedLibrary::TrustedLibrary(const std::string& path)
{
    const std::wstring wide = Win32::longPath(path);
    // Held until the library is mapped: no one may write, replace or delete
    // the file meanwhile, nor rename a directory above an open file.
    HANDLE pin = ::CreateFileW(wide.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                               FILE_ATTRIBUTE_NORMAL, nullptr);
    if (pin == INVALID_HANDLE_VALUE)
        throw UntrustedLibrary("cannot open " + path + ": Windows error " + std::to_string(::GetLastError()));
    try
    {
        if (auto reason = untrustedReason(path))
            throw UntrustedLibrary(*reason);
        // The path as given, as POCO passed it: the loader's own rules for
        // long paths apply (README, "Security model" under Windows).
        HMODULE module = ::LoadLibraryExW(Win32::wide(path).c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
        if (!module)
            throw std::runtime_error("cannot load: " + path + ": Windows error " + std::to_string(::GetLastError()));
        _handle = module;
    }
    catch (...)
    {
        ::CloseHandle(pin);
        throw;
    }
    ::CloseHandle(pin);
}

TrustedLibrary::~TrustedLibrary()
{
    if (_handle)
        ::FreeLibrary(static_cast<HMODULE>(_handle));
}

void* TrustedLibrary::symbol(const char* name) const
{
    return reinterpret_cast<void*>(::GetProcAddress(static_cast<HMODULE>(_handle), name));
}

} // namespace TokenBroker
