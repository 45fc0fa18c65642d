#include "SecurityDescriptor_win32.h"

#include "Accounts_win32.h"
#include "AtomicFile.h"
#include "LongPath_win32.h"
#include "Win32Text_win32.h"

#include <Poco/UnicodeConverter.h>

#include <aclapi.h>
#include <sddl.h>

#include <stdexcept>
#include <vector>

namespace TokenBroker::Win32 {

namespace {

const std::string kSystem = "S-1-5-18";
const std::string kAdministrators = "S-1-5-32-544";

/// The SDDL of a protected DACL: full control for SYSTEM, Administrators
/// and this process's account, then `readers` with read access, each SID
/// once. `inheritance` is "OICI" for a directory whose content inherits.
std::string protectedDacl(const std::string& inheritance, const std::vector<std::string>& readers)
{
    std::vector<std::string> granted;
    std::string sddl = "D:P";
    auto grant = [&](const std::string& sid, const char* rights) {
        for (const auto& done : granted)
        {
            if (done == sid)
                return;
        }
        granted.push_back(sid);
        sddl += "(A;" + inheritance + ";" + rights + ";;;" + sid + ")";
    };
    grant(kSystem, "FA");
    grant(kAdministrators, "FA");
    grant(processAccountSid(), "FA");
    for (const auto& reader : readers)
        grant(reader, "FR");
    return sddl;
}

std::string resolve(const std::string& name, const char* role)
{
    auto sid = accountSid(name);
    if (!sid)
        throw std::invalid_argument("unknown Windows account '" + name + "' (" + role +
                                    "): give an account or group name such as Users, or a SID such as S-1-5-32-545");
    return *sid;
}

} // namespace

SecurityDescriptor SecurityDescriptor::fromSddl(const std::string& sddl)
{
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(wide(sddl).c_str(), SDDL_REVISION_1, &descriptor,
                                                                nullptr))
        throw std::invalid_argument("not a valid security descriptor: " + sddl + " (Windows error " +
                                    std::to_string(::GetLastError()) + ")");
    return SecurityDescriptor(descriptor);
}

SecurityDescriptor SecurityDescriptor::ofFile(const std::string& path)
{
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    const DWORD rc = ::GetNamedSecurityInfoW(longPath(path).c_str(), SE_FILE_OBJECT,
                                             OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, nullptr,
                                             nullptr, nullptr, nullptr, &descriptor);
    if (rc != ERROR_SUCCESS)
        throw std::runtime_error("cannot read the security descriptor of " + path + ": Windows error " +
                                 std::to_string(rc));
    return SecurityDescriptor(descriptor);
}

std::string SecurityDescriptor::sddl() const
{
    LPWSTR text = nullptr;
    if (!::ConvertSecurityDescriptorToStringSecurityDescriptorW(
            get(), SDDL_REVISION_1,
            OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &text, nullptr))
        throw std::runtime_error("cannot convert a security descriptor to SDDL: Windows error " +
                                 std::to_string(::GetLastError()));
    std::string result;
    Poco::UnicodeConverter::convert(text, result);
    ::LocalFree(text);
    return result;
}

PACL SecurityDescriptor::dacl() const
{
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = nullptr;
    if (!::GetSecurityDescriptorDacl(get(), &present, &dacl, &defaulted) || !present || !dacl)
        throw std::logic_error("a security descriptor to apply must have a DACL");
    return dacl;
}

void SecurityDescriptor::applyTo(const std::string& path) const
{
    std::wstring name = longPath(path);
    const DWORD rc = ::SetNamedSecurityInfoW(name.data(), SE_FILE_OBJECT,
                                             DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                             nullptr, nullptr, dacl(), nullptr);
    if (rc != ERROR_SUCCESS)
        throw WriteError("cannot set the access control list of " + path + ": Windows error " + std::to_string(rc));
}

void SecurityDescriptor::applyTo(HANDLE handle, const std::string& path) const
{
    const DWORD rc = ::SetSecurityInfo(handle, SE_FILE_OBJECT,
                                       DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION, nullptr,
                                       nullptr, dacl(), nullptr);
    if (rc != ERROR_SUCCESS)
        throw WriteError("cannot set the access control list of " + path + ": Windows error " + std::to_string(rc));
}

SecurityDescriptor privateDirectorySecurity()
{
    return SecurityDescriptor::fromSddl(protectedDacl("OICI", {}));
}

SecurityDescriptor fileSecurity(const std::string& owner, const std::string& group)
{
    std::vector<std::string> readers;
    if (!owner.empty())
        readers.push_back(resolve(owner, "owner"));
    if (!group.empty())
        readers.push_back(resolve(group, "group"));
    return SecurityDescriptor::fromSddl(protectedDacl("", readers));
}

} // namespace TokenBroker::Win32
