#include "EnvOutput.h"

#include "AtomicFile.h"

#include <Poco/UnicodeConverter.h>

#include <windows.h>

namespace TokenBroker {

namespace {

/// A variable in HKCU\Environment (scope user) or the machine environment.
class RegistryEnvOutput : public Output
{
public:
    explicit RegistryEnvOutput(const OutputSpec& spec)
        : _variable(spec.variable)
        , _machine(spec.scope == "machine")
    {
    }

    void publish(const Token& token, const std::string&) override
    {
        std::wstring value;
        Poco::UnicodeConverter::convert(token.accessToken, value);
        HKEY key = open();
        LONG rc = ::RegSetValueExW(key, name().c_str(), 0, REG_SZ, reinterpret_cast<const BYTE*>(value.c_str()),
                                   static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t)));
        ::RegCloseKey(key);
        if (rc != ERROR_SUCCESS)
            throw WriteError("cannot set " + describe() + ": Windows error " + std::to_string(rc));
        broadcast();
    }

    void withdraw() override
    {
        HKEY key = open();
        LONG rc = ::RegDeleteValueW(key, name().c_str());
        ::RegCloseKey(key);
        if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND)
            throw WriteError("cannot remove " + describe() + ": Windows error " + std::to_string(rc));
        broadcast();
    }

    std::string describe() const override
    {
        return "env " + _variable + " (" + (_machine ? "machine" : "user") + " registry environment)";
    }

    std::string target() const override { return _variable; }

private:
    std::wstring name() const
    {
        std::wstring wide;
        Poco::UnicodeConverter::convert(_variable, wide);
        return wide;
    }

    HKEY open() const
    {
        HKEY key = nullptr;
        LONG rc = _machine ? ::RegOpenKeyExW(HKEY_LOCAL_MACHINE,
                                             L"SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment", 0,
                                             KEY_SET_VALUE, &key)
                           : ::RegCreateKeyExW(HKEY_CURRENT_USER, L"Environment", 0, nullptr, 0, KEY_SET_VALUE,
                                               nullptr, &key, nullptr);
        if (rc != ERROR_SUCCESS)
            throw WriteError("cannot open the registry for " + describe() + ": Windows error " + std::to_string(rc));
        return key;
    }

    static void broadcast()
    {
        // Tell Explorer and other top-level windows to reload the
        // environment; a hung window must not block the broker.
        DWORD_PTR result = 0;
        ::SendMessageTimeoutW(HWND_BROADCAST, WM_SETTINGCHANGE, 0, reinterpret_cast<LPARAM>(L"Environment"),
                              SMTO_ABORTIFHUNG, 5000, &result);
    }

    std::string _variable;
    bool _machine;
};

} // namespace

std::unique_ptr<Output> makeEnvOutput(const OutputSpec& spec)
{
    return std::make_unique<RegistryEnvOutput>(spec);
}

} // namespace TokenBroker
