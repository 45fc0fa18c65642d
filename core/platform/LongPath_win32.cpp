#include "LongPath_win32.h"

#include "Win32Text_win32.h"

#include <windows.h>

#include <algorithm>
#include <cwchar>
#include <stdexcept>

namespace TokenBroker::Win32 {

namespace {

bool startsWith(const std::wstring& text, const wchar_t* prefix)
{
    return text.compare(0, std::wcslen(prefix), prefix) == 0;
}

bool isDriveLetter(wchar_t c)
{
    return (c >= L'A' && c <= L'Z') || (c >= L'a' && c <= L'z');
}

} // namespace

std::wstring extendedLengthPath(std::wstring path)
{
    std::replace(path.begin(), path.end(), L'/', L'\\');
    if (startsWith(path, L"\\\\?\\") || startsWith(path, L"\\\\.\\"))
        return path;
    if (startsWith(path, L"\\\\"))
        return L"\\\\?\\UNC\\" + path.substr(2);
    if (path.size() >= 3 && isDriveLetter(path[0]) && path[1] == L':' && path[2] == L'\\')
        return L"\\\\?\\" + path;
    return path;
}

std::wstring longPath(const std::string& path)
{
    std::wstring text = wide(path);
    std::replace(text.begin(), text.end(), L'/', L'\\');
    if (text.empty() || startsWith(text, L"\\\\?\\") || startsWith(text, L"\\\\.\\"))
        return text;
    // GetFullPathNameW is not limited to MAX_PATH; it answers the size it
    // needs when the buffer is too small (the current directory may change
    // in between, hence the loop).
    std::wstring full(text.size() + MAX_PATH, L'\0');
    while (true)
    {
        const DWORD n = ::GetFullPathNameW(text.c_str(), static_cast<DWORD>(full.size()), full.data(), nullptr);
        if (n == 0)
            throw std::runtime_error("cannot resolve the path " + path + ": Windows error " +
                                     std::to_string(::GetLastError()));
        if (n < full.size())
        {
            full.resize(n);
            return extendedLengthPath(std::move(full));
        }
        full.resize(n);
    }
}

std::wstring ordinaryPath(std::wstring path)
{
    if (startsWith(path, L"\\\\?\\UNC\\"))
        return L"\\\\" + path.substr(8);
    if (path.size() >= 6 && startsWith(path, L"\\\\?\\") && isDriveLetter(path[4]) && path[5] == L':')
        return path.substr(4);
    return path;
}

} // namespace TokenBroker::Win32
