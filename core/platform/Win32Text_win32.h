#pragma once

// Text helpers shared by the Windows implementations in platform/ (not a
// platform interface: only *_win32.cpp files include it).

#include <Poco/UnicodeConverter.h>

#include <windows.h>

#include <string>

namespace TokenBroker::Win32 {

/// UTF-8 → UTF-16, for the W functions.
inline std::wstring wide(const std::string& text)
{
    std::wstring result;
    Poco::UnicodeConverter::convert(text, result);
    return result;
}

/// UTF-16 → UTF-8, for what the W functions hand back.
inline std::string narrow(const std::wstring& text)
{
    std::string result;
    Poco::UnicodeConverter::convert(text, result);
    return result;
}

/// "WHAT PATH: Windows error N" for the calling thread's last error.
inline std::string lastError(const std::string& what, const std::string& path)
{
    const DWORD code = ::GetLastError();
    return what + " " + path + ": Windows error " + std::to_string(code);
}

} // namespace TokenBroker::Win32
