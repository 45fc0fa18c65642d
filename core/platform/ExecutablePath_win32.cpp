#include "ExecutablePath.h"

#include "LongPath_win32.h"

#include <Poco/UnicodeConverter.h>

#include <windows.h>

#include <stdexcept>

namespace TokenBroker {

std::string executablePath()
{
    // The path may be longer than MAX_PATH: GetModuleFileNameW truncates to
    // the buffer and returns its size, so grow it until the path fits.
    std::wstring path(MAX_PATH, L'\0');
    while (true)
    {
        const DWORD n = ::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
        if (n == 0)
            throw std::runtime_error("cannot find the executable's path: Windows error " +
                                     std::to_string(::GetLastError()));
        if (n < path.size())
        {
            path.resize(n);
            break;
        }
        path.resize(path.size() * 2);
    }
    std::string utf8;
    Poco::UnicodeConverter::convert(Win32::ordinaryPath(path), utf8);
    return utf8;
}

std::string executableDirectory()
{
    const std::string path = executablePath();
    return path.substr(0, path.find_last_of("\\/"));
}

} // namespace TokenBroker
