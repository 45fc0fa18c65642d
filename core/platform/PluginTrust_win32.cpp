#include "PluginTrust.h"
#include "PluginTrust_win32.h"

#include "Accounts_win32.h"
#include "SecurityDescriptor_win32.h"

#include <windows.h>

#include <set>

namespace TokenBroker {

namespace Win32 {

namespace {

/// Rights that let a principal replace what the host loads. On a directory
/// FILE_WRITE_DATA / FILE_APPEND_DATA are "add file" / "add subdirectory".
constexpr ACCESS_MASK kChangeRights = FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_DELETE_CHILD | DELETE | WRITE_DAC |
                                      WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL;

const std::string kCreatorOwner = "S-1-3-0";
const std::string kOwnerRights = "S-1-3-4";

bool isTrusted(const std::string& sid)
{
    static const std::set<std::string> trusted = {
        "S-1-5-18",      // SYSTEM
        "S-1-5-32-544",  // Administrators
        "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",  // TrustedInstaller
        processAccountSid()};
    return trusted.count(sid) != 0;
}

const char* const kTrustedList = "SYSTEM, Administrators, TrustedInstaller or the service's account";

} // namespace

std::optional<std::string> untrustedReason(PSECURITY_DESCRIPTOR descriptor, const std::string& path)
{
    PSID owner = nullptr;
    BOOL defaulted = FALSE;
    if (!::GetSecurityDescriptorOwner(descriptor, &owner, &defaulted) || !owner)
        return path + " has no owner in its security descriptor";
    if (!isTrusted(sidText(owner)))
        return path + " is owned by " + describeSid(owner) + ", not by " + kTrustedList +
               "; an administrator can take it over (icacls \"" + path + "\" /setowner Administrators)";

    BOOL present = FALSE;
    PACL dacl = nullptr;
    if (!::GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted) || !present || !dacl)
        return path + " has no access control list, so everyone may change it";
    for (DWORD i = 0; i < dacl->AceCount; ++i)
    {
        ACE_HEADER* header = nullptr;
        if (!::GetAce(dacl, i, reinterpret_cast<void**>(&header)))
            return path + " has an unreadable access control list";
        if (header->AceFlags & INHERIT_ONLY_ACE)
            continue;
        if (header->AceType == ACCESS_ALLOWED_OBJECT_ACE_TYPE || header->AceType == ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE)
            return path + " has an object-specific allow entry, which plugin trust does not judge";
        if (header->AceType != ACCESS_ALLOWED_ACE_TYPE && header->AceType != ACCESS_ALLOWED_CALLBACK_ACE_TYPE)
            continue;
        // ACCESS_ALLOWED_CALLBACK_ACE has the same layout up to the SID.
        auto* ace = reinterpret_cast<ACCESS_ALLOWED_ACE*>(header);
        if ((ace->Mask & kChangeRights) == 0)
            continue;
        PSID sid = &ace->SidStart;
        const std::string text = sidText(sid);
        if (text == kCreatorOwner || text == kOwnerRights || isTrusted(text))
            continue;
        return path + " can be changed by " + describeSid(sid) + ", which is not " + kTrustedList +
               "; remove that access (icacls \"" + path + "\" /inheritance:d /remove:g *" + text + ")";
    }
    return std::nullopt;
}

} // namespace Win32

std::optional<std::string> untrustedReason(const std::string& path)
{
    try
    {
        return Win32::untrustedReason(Win32::SecurityDescriptor::ofFile(path).get(), path);
    }
    catch (const std::exception& e)
    {
        return std::string(e.what());
    }
}

} // namespace TokenBroker
