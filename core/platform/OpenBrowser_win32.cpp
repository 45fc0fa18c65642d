#include "OpenBrowser.h"

#include <Poco/UnicodeConverter.h>

#include <windows.h>
#include <shellapi.h>

namespace TokenBroker {

bool openBrowser(const std::string& url)
{
    std::wstring wide;
    Poco::UnicodeConverter::convert(url, wide);
    auto result = reinterpret_cast<INT_PTR>(::ShellExecuteW(nullptr, L"open", wide.c_str(), nullptr, nullptr, SW_SHOWNORMAL));
    return result > 32;
}

} // namespace TokenBroker
