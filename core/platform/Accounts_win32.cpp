#include "Accounts.h"
#include "Accounts_win32.h"

#include "Win32Text_win32.h"

#include <Poco/UnicodeConverter.h>

#include <sddl.h>

#include <stdexcept>
#include <vector>

namespace TokenBroker {

namespace Win32 {

namespace {

bool isSidText(const std::string& name)
{
    return name.size() > 2 && (name[0] == 'S' || name[0] == 's') && name[1] == '-';
}

} // namespace

std::string sidText(PSID sid)
{
    LPWSTR text = nullptr;
    if (!::ConvertSidToStringSidW(sid, &text))
        throw std::runtime_error("cannot convert a SID to text: Windows error " + std::to_string(::GetLastError()));
    std::string result = narrow(text);
    ::LocalFree(text);
    return result;
}

std::optional<std::string> accountSid(const std::string& name)
{
    if (name.empty())
        return std::nullopt;
    // Only the S-1-... form: ConvertStringSidToSidW would also take SDDL
    // aliases ("BA"), which are not account names.
    PSID parsed = nullptr;
    if (isSidText(name) && ::ConvertStringSidToSidW(wide(name).c_str(), &parsed))
    {
        std::string result = sidText(parsed);
        ::LocalFree(parsed);
        return result;
    }
    DWORD sidSize = 0, domainSize = 0;
    SID_NAME_USE use;
    const std::wstring wideName = wide(name);
    ::LookupAccountNameW(nullptr, wideName.c_str(), nullptr, &sidSize, nullptr, &domainSize, &use);
    if (sidSize == 0)
        return std::nullopt;
    std::vector<BYTE> sid(sidSize);
    std::vector<wchar_t> domain(domainSize + 1);
    if (!::LookupAccountNameW(nullptr, wideName.c_str(), sid.data(), &sidSize, domain.data(), &domainSize, &use))
        return std::nullopt;
    return sidText(sid.data());
}

std::string processAccountSid()
{
    HANDLE token = nullptr;
    if (!::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token))
        throw std::runtime_error("cannot open this process's token: Windows error " + std::to_string(::GetLastError()));
    DWORD size = 0;
    ::GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    std::vector<BYTE> buffer(size);
    const BOOL ok = size != 0 && ::GetTokenInformation(token, TokenUser, buffer.data(), size, &size);
    const DWORD error = ::GetLastError();
    ::CloseHandle(token);
    if (!ok)
        throw std::runtime_error("cannot read this process's account: Windows error " + std::to_string(error));
    return sidText(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid);
}

std::string describeSid(PSID sid)
{
    const std::string text = sidText(sid);
    wchar_t name[256], domain[256];
    DWORD nameSize = 256, domainSize = 256;
    SID_NAME_USE use;
    if (!::LookupAccountSidW(nullptr, sid, name, &nameSize, domain, &domainSize, &use))
        return text;
    const std::string account = domain[0] ? narrow(domain) + "\\" + narrow(name) : narrow(name);
    return account + " (" + text + ")";
}

} // namespace Win32

std::optional<unsigned> lookupUser(const std::string&)
{
    return std::nullopt;
}

std::optional<unsigned> lookupGroup(const std::string&)
{
    return std::nullopt;
}

bool isKnownOwner(const std::string& name)
{
    return Win32::accountSid(name).has_value();
}

bool isKnownGroup(const std::string& name)
{
    return Win32::accountSid(name).has_value();
}

std::optional<std::string> cannotGiveToOwner(const std::string&)
{
    return std::nullopt;
}

std::optional<std::string> cannotGiveToGroup(const std::string&)
{
    return std::nullopt;
}

} // namespace TokenBroker
