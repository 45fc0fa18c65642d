#include "EnvOutput.h"

#include "Accounts_win32.h"
#include "AtomicFile.h"
#include "ServiceProcess.h"
#include "Win32Text_win32.h"

#include <Poco/UnicodeConverter.h>

#include <windows.h>

#include <sddl.h>

#include <stdexcept>
#include <vector>

namespace TokenBroker {

namespace {

std::string narrow(const wchar_t* text)
{
    std::string result;
    Poco::UnicodeConverter::toUTF8(text, result);
    return result;
}

/// Whether an account of this kind has a registry hive, and so an
/// environment: users, and the service accounts (SYSTEM, LOCAL SERVICE,
/// NETWORK SERVICE), which Windows reports as well-known groups.
bool hasHive(PSID sid, SID_NAME_USE use)
{
    return use == SidTypeUser || ::IsWellKnownSid(sid, WinLocalSystemSid) ||
           ::IsWellKnownSid(sid, WinLocalServiceSid) || ::IsWellKnownSid(sid, WinNetworkServiceSid);
}

std::string notAUser(const std::string& user)
{
    return "'" + user + "' is a group, not a user: a group has no registry environment of its own; name a user, or "
                        "use scope: machine for every user";
}

/// The SID string of `user:` — an account name (NAME or DOMAIN\NAME) or a
/// SID string. A SID this machine cannot look up (a domain account while the
/// domain is unreachable) is taken as written. Throws std::invalid_argument
/// saying why an account is refused.
std::string resolveUserSid(const std::string& user)
{
    const std::wstring wide = Win32::wide(user);
    if (user.size() > 4 && (user[0] == 'S' || user[0] == 's') && user.compare(1, 3, "-1-") == 0)
    {
        PSID sid = nullptr;
        if (!::ConvertStringSidToSidW(wide.c_str(), &sid))
            throw std::invalid_argument("'" + user + "' is not a valid SID (e.g. S-1-5-21-1004336348-1177238915-682003330-1001)");
        wchar_t name[256], domain[256];
        DWORD nameSize = 256, domainSize = 256;
        SID_NAME_USE use = SidTypeUnknown;
        const bool known = ::LookupAccountSidW(nullptr, sid, name, &nameSize, domain, &domainSize, &use);
        const bool refused = known && !hasHive(sid, use);
        std::string text = Win32::sidText(sid);
        ::LocalFree(sid);
        if (refused)
            throw std::invalid_argument(notAUser(user));
        return text;
    }
    DWORD sidSize = 0, domainSize = 0;
    SID_NAME_USE use = SidTypeUnknown;
    ::LookupAccountNameW(nullptr, wide.c_str(), nullptr, &sidSize, nullptr, &domainSize, &use);
    if (sidSize == 0)
        throw std::invalid_argument("'" + user + "' is not a known Windows account (Windows error " +
                                    std::to_string(::GetLastError()) + ")");
    std::vector<BYTE> sid(sidSize);
    std::vector<wchar_t> domain(domainSize + 1);
    if (!::LookupAccountNameW(nullptr, wide.c_str(), sid.data(), &sidSize, domain.data(), &domainSize, &use))
        throw std::invalid_argument("'" + user + "' is not a known Windows account (Windows error " +
                                    std::to_string(::GetLastError()) + ")");
    if (!hasHive(sid.data(), use))
        throw std::invalid_argument(notAUser(user));
    return Win32::sidText(sid.data());
}

/// Where an env output's variable lives.
struct EnvironmentKey
{
    HKEY root;
    std::wstring hive;      ///< a SID under HKEY_USERS, or empty
    std::wstring path;      ///< below root (and hive)
    std::string where;      ///< for messages
};

EnvironmentKey environmentKey(const OutputSpec& spec)
{
    if (spec.scope == "machine")
        return {HKEY_LOCAL_MACHINE, L"", L"SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment",
                "machine registry environment"};
    if (spec.user.empty())
        return {HKEY_CURRENT_USER, L"", L"Environment", "registry environment of the broker's own account (HKCU)"};
    const std::string sid = resolveUserSid(spec.user);
    return {HKEY_USERS, Win32::wide(sid), L"Environment", "registry environment of user " + spec.user + " (" + sid + ")"};
}

/// A variable in a registry environment.
class RegistryEnvOutput : public Output
{
public:
    RegistryEnvOutput(std::string variable, EnvironmentKey key)
        : _variable(std::move(variable))
        , _key(std::move(key))
    {
    }

    void publish(const Token& token, const std::string&) override
    {
        const std::wstring value = Win32::wide(token.accessToken);
        HKEY key = open("set");
        LONG rc = ::RegSetValueExW(key, Win32::wide(_variable).c_str(), 0, REG_SZ,
                                   reinterpret_cast<const BYTE*>(value.c_str()),
                                   static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t)));
        ::RegCloseKey(key);
        if (rc != ERROR_SUCCESS)
            throw WriteError("cannot set " + describe() + ": Windows error " + std::to_string(rc));
        broadcast();
    }

    void withdraw() override
    {
        HKEY key = open("remove");
        LONG rc = ::RegDeleteValueW(key, Win32::wide(_variable).c_str());
        ::RegCloseKey(key);
        if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND)
            throw WriteError("cannot remove " + describe() + ": Windows error " + std::to_string(rc));
        broadcast();
    }

    std::string describe() const override { return "env " + _variable + " (" + _key.where + ")"; }

    std::string target() const override { return _variable; }

private:
    HKEY open(const std::string& action) const
    {
        HKEY base = _key.root;
        HKEY hive = nullptr;
        if (!_key.hive.empty())
        {
            // Opened, never created: a user's hive is under HKEY_USERS only
            // while they are logged on. Loading a logged-off user's
            // NTUSER.DAT ourselves is not done: a logon while we hold it
            // gets a temporary profile. The failed publish is retried with
            // the profile's backoff, so the variable appears soon after the
            // user logs on.
            LONG rc = ::RegOpenKeyExW(HKEY_USERS, _key.hive.c_str(), 0, KEY_CREATE_SUB_KEY, &hive);
            if (rc == ERROR_FILE_NOT_FOUND)
                throw WriteError("cannot " + action + " " + describe() +
                                 ": the user is not logged on, so their registry hive (HKEY_USERS\\" +
                                 narrow(_key.hive.c_str()) +
                                 ") is not loaded; the broker retries and writes it once they log on");
            if (rc != ERROR_SUCCESS)
                throw WriteError("cannot open the registry hive for " + describe() + ": Windows error " +
                                 std::to_string(rc));
            base = hive;
        }
        HKEY key = nullptr;
        LONG rc = ::RegCreateKeyExW(base, _key.path.c_str(), 0, nullptr, 0, KEY_SET_VALUE, nullptr, &key, nullptr);
        if (hive)
            ::RegCloseKey(hive);
        if (rc != ERROR_SUCCESS)
            throw WriteError("cannot open the registry for " + describe() + ": Windows error " + std::to_string(rc));
        return key;
    }

    static void broadcast()
    {
        // Explorer rebuilds the environment it gives new programs when told;
        // SMTO_ABORTIFHUNG so a hung window cannot block the broker. A
        // service in session 0 reaches no user session's windows: there the
        // change shows in programs started after the user's next logon.
        DWORD_PTR result = 0;
        ::SendMessageTimeoutW(HWND_BROADCAST, WM_SETTINGCHANGE, 0, reinterpret_cast<LPARAM>(L"Environment"),
                              SMTO_ABORTIFHUNG, 5000, &result);
    }

    std::string _variable;
    EnvironmentKey _key;
};

} // namespace

std::unique_ptr<Output> makeEnvOutput(const OutputSpec& spec)
{
    try
    {
        return std::make_unique<RegistryEnvOutput>(spec.variable, environmentKey(spec));
    }
    catch (const std::invalid_argument& e)
    {
        throw ConfigError(spec.userLocation, std::string("user: ") + e.what());
    }
}

void validateEnvOutput(const OutputSpec& spec)
{
    if (spec.scope != "user")
        return;
    if (!spec.user.empty())
    {
        try
        {
            resolveUserSid(spec.user);
        }
        catch (const std::invalid_argument& e)
        {
            throw ConfigError(spec.userLocation, std::string("user: ") + e.what());
        }
        return;
    }
    if (runningAsService())
        throw ConfigError(spec.location,
                          "env output " + spec.variable +
                              ": scope: user without 'user:' in a service would write the service account's own "
                              "registry environment (its HKEY_CURRENT_USER), which no user's session reads; name the "
                              "user whose programs need it (user: NAME or a SID), or use scope: machine");
}

} // namespace TokenBroker
