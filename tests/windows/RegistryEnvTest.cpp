#define BOOST_TEST_MODULE RegistryEnvTest
#include <boost/test/unit_test.hpp>

// env outputs on Windows: scope machine and scope user (the broker's own
// HKCU, or a named user's hive under HKEY_USERS), each value read back by a
// separate reg.exe and removed again by withdraw(); a WM_SETTINGCHANGE
// "Environment" broadcast after each write; and the configuration errors a
// service must get for scope: user without user:, and unknown users or
// groups, at file:line:col.

#include "ConfigLoader.h"
#include "EnvOutput.h"
#include "Output.h"
#include "ServiceProcess.h"
#include "AtomicFile.h"

#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/UnicodeConverter.h>

#include <windows.h>

#include <sddl.h>

#include <future>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

using namespace TokenBroker;

namespace {

const std::string kMachineKey = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment";

std::string utf8(const std::wstring& text)
{
    std::string result;
    Poco::UnicodeConverter::toUTF8(text, result);
    return result;
}

/// A variable name no other run uses.
std::string uniqueVariable()
{
    std::random_device random;
    std::ostringstream name;
    name << "TOKENBROKER_TEST_" << std::hex << random() << random();
    return name.str();
}

Token tokenOf(const std::string& access)
{
    Token token;
    token.accessToken = access;
    return token;
}

const std::string kAbsent = "(no such value)";

/// `reg query KEY /v NAME` in a child process: the value as reg.exe shows
/// it, or kAbsent when reg.exe finds no such value (or key).
std::string regQuery(const std::string& key, const std::string& name)
{
    Poco::Pipe out;
    Poco::ProcessHandle reg = Poco::Process::launch("reg", {"query", key, "/v", name}, nullptr, &out, &out);
    Poco::PipeInputStream stream(out);
    std::string text;
    Poco::StreamCopier::copyToString(stream, text);
    if (reg.wait() != 0)
        return kAbsent;
    // "    NAME    REG_SZ    VALUE"
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
    {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        const auto type = line.find("REG_SZ");
        if (line.find(name) != std::string::npos && type != std::string::npos)
        {
            const auto value = line.find_first_not_of(' ', type + 6);
            return value == std::string::npos ? std::string() : line.substr(value);
        }
    }
    BOOST_FAIL("reg query " + key + " /v " + name + " succeeded without a REG_SZ line:\n" + text);
    return {};
}

/// Whether `reg query KEY` finds the key at all.
bool regKeyExists(const std::string& key)
{
    Poco::Pipe out;
    Poco::ProcessHandle reg = Poco::Process::launch("reg", {"query", key}, nullptr, &out, &out);
    Poco::PipeInputStream stream(out);
    std::string ignored;
    Poco::StreamCopier::copyToString(stream, ignored);
    return reg.wait() == 0;
}

/// This process's own account: SID string and name, read from its token
/// (not through the account lookups the code under test uses).
std::string ownSid()
{
    HANDLE token = nullptr;
    BOOST_TEST_REQUIRE(::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token));
    DWORD size = 0;
    ::GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    std::vector<BYTE> buffer(size);
    BOOST_TEST_REQUIRE(::GetTokenInformation(token, TokenUser, buffer.data(), size, &size));
    ::CloseHandle(token);
    LPWSTR text = nullptr;
    BOOST_TEST_REQUIRE(::ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &text));
    const std::string sid = utf8(text);
    ::LocalFree(text);
    return sid;
}

std::string ownName()
{
    wchar_t name[256];
    DWORD size = 256;
    BOOST_TEST_REQUIRE(::GetUserNameW(name, &size));
    return utf8(name);
}

/// The env outputs of a one-profile configuration whose outputs are `outputs`
/// (YAML lines at 6 spaces); the first output starts on line 5.
std::vector<OutputSpec> outputsOf(const std::string& outputs)
{
    return ConfigLoader::loadString("profiles:\n"
                                    "  p:\n"
                                    "    flow: pat\n"
                                    "    outputs:\n" +
                                        outputs,
                                    "test.yaml", "C:\\tb")
        .profiles.at(0)
        .outputs;
}

/// validateOutput's error, or "" when it accepts.
std::string validationError(const OutputSpec& spec)
{
    try
    {
        validateOutput(spec);
    }
    catch (const ConfigError& e)
    {
        return e.what();
    }
    return {};
}

/// This process, for the duration of a test, as the service control
/// manager's service.
struct AsService
{
    AsService() { setRunningAsService(true); }
    ~AsService() { setRunningAsService(false); }
};

/// A hidden top-level window on its own thread that records the
/// WM_SETTINGCHANGE broadcasts it receives.
class SettingChangeListener
{
public:
    SettingChangeListener()
    {
        std::promise<HWND> created;
        auto window = created.get_future();
        _thread = std::thread([this, &created] { run(created); });
        _window = window.get();
    }

    ~SettingChangeListener()
    {
        if (_window)
            ::PostMessageW(_window, WM_CLOSE, 0, 0);
        _thread.join();
    }

    bool created() const { return _window != nullptr; }

    std::vector<std::string> received() const
    {
        std::lock_guard<std::mutex> lock(_mutex);
        return _received;
    }

private:
    static LRESULT CALLBACK procedure(HWND window, UINT message, WPARAM wParam, LPARAM lParam)
    {
        auto* self = reinterpret_cast<SettingChangeListener*>(::GetWindowLongPtrW(window, GWLP_USERDATA));
        if (message == WM_SETTINGCHANGE && self)
        {
            std::lock_guard<std::mutex> lock(self->_mutex);
            self->_received.push_back(lParam ? utf8(reinterpret_cast<const wchar_t*>(lParam)) : std::string("(null)"));
            return 0;
        }
        if (message == WM_DESTROY)
            ::PostQuitMessage(0);
        return ::DefWindowProcW(window, message, wParam, lParam);
    }

    void run(std::promise<HWND>& created)
    {
        WNDCLASSW windowClass = {};
        windowClass.lpfnWndProc = procedure;
        windowClass.hInstance = ::GetModuleHandleW(nullptr);
        windowClass.lpszClassName = L"TokenBrokerSettingChangeListener";
        ::RegisterClassW(&windowClass);
        HWND window = ::CreateWindowExW(0, windowClass.lpszClassName, L"", WS_OVERLAPPEDWINDOW, 0, 0, 10, 10, nullptr,
                                        nullptr, windowClass.hInstance, nullptr);
        if (window)
            ::SetWindowLongPtrW(window, GWLP_USERDATA, reinterpret_cast<LONG_PTR>(this));
        created.set_value(window);
        if (!window)
            return;
        MSG message;
        while (::GetMessageW(&message, nullptr, 0, 0) > 0)
        {
            ::TranslateMessage(&message);
            ::DispatchMessageW(&message);
        }
    }

    std::thread _thread;
    HWND _window = nullptr;
    mutable std::mutex _mutex;
    std::vector<std::string> _received;
};

} // namespace

BOOST_AUTO_TEST_CASE(scope_machine_writes_the_session_manager_environment_and_withdraw_removes_it)
{
    const std::string variable = uniqueVariable();
    const auto specs = outputsOf("      - env: " + variable + "\n        scope: machine\n");
    BOOST_TEST(validationError(specs.at(0)) == "");
    auto output = makeOutput(specs.at(0));
    BOOST_TEST(output->describe() == "env " + variable + " (machine registry environment)");

    output->publish(tokenOf("pat_machine_1"), "p");
    BOOST_TEST(regQuery(kMachineKey, variable) == "pat_machine_1");
    output->publish(tokenOf("pat_machine_2"), "p");
    BOOST_TEST(regQuery(kMachineKey, variable) == "pat_machine_2");

    output->withdraw();
    BOOST_TEST(regQuery(kMachineKey, variable) == kAbsent);
    // Withdrawing what is already gone is not an error.
    BOOST_CHECK_NO_THROW(output->withdraw());
}

BOOST_AUTO_TEST_CASE(scope_user_with_a_user_name_writes_that_users_hive_under_HKEY_USERS)
{
    const std::string variable = uniqueVariable();
    const std::string sid = ownSid();
    const auto specs = outputsOf("      - env: " + variable + "\n        user: " + ownName() + "\n");
    BOOST_TEST(specs.at(0).scope == "user");
    BOOST_TEST(validationError(specs.at(0)) == "");
    auto output = makeOutput(specs.at(0));
    BOOST_TEST(output->describe() ==
               "env " + variable + " (registry environment of user " + ownName() + " (" + sid + "))");

    output->publish(tokenOf("pat_user_hive"), "p");
    BOOST_TEST(regQuery("HKU\\" + sid + "\\Environment", variable) == "pat_user_hive");
    // Not the machine environment.
    BOOST_TEST(regQuery(kMachineKey, variable) == kAbsent);

    output->withdraw();
    BOOST_TEST(regQuery("HKU\\" + sid + "\\Environment", variable) == kAbsent);
}

BOOST_AUTO_TEST_CASE(scope_user_with_a_sid_string_writes_the_same_hive)
{
    const std::string variable = uniqueVariable();
    const std::string sid = ownSid();
    auto output = makeOutput(outputsOf("      - { env: " + variable + ", scope: user, user: " + sid + " }\n").at(0));
    output->publish(tokenOf("pat_by_sid"), "p");
    BOOST_TEST(regQuery("HKU\\" + sid + "\\Environment", variable) == "pat_by_sid");
    output->withdraw();
    BOOST_TEST(regQuery("HKU\\" + sid + "\\Environment", variable) == kAbsent);
}

BOOST_AUTO_TEST_CASE(a_user_who_is_not_logged_on_gets_a_clear_error_and_no_hive_is_made_up)
{
    // A well-formed SID of nobody on this machine: taken as written (a
    // domain account may be unresolvable offline), and its hive is not
    // loaded.
    const std::string sid = "S-1-5-21-1-2-3-4242";
    const auto specs = outputsOf("      - { env: " + uniqueVariable() + ", user: " + sid + " }\n");
    BOOST_TEST(validationError(specs.at(0)) == "");
    auto output = makeOutput(specs.at(0));
    BOOST_CHECK_EXCEPTION(output->publish(tokenOf("pat_nobody"), "p"), WriteError, [&](const WriteError& e) {
        BOOST_TEST_MESSAGE(e.what());
        const std::string text = e.what();
        return text.find("the user is not logged on, so their registry hive (HKEY_USERS\\" + sid + ") is not loaded") !=
                   std::string::npos &&
               text.find("retries") != std::string::npos;
    });
    BOOST_CHECK_THROW(output->withdraw(), WriteError);
    // Under wine HKEY_USERS is an ordinary key: the output must not have
    // created a stand-in hive there.
    BOOST_TEST(!regKeyExists("HKU\\" + sid));
}

BOOST_AUTO_TEST_CASE(scope_user_without_user_writes_the_brokers_own_HKCU_outside_a_service)
{
    const std::string variable = uniqueVariable();
    const auto specs = outputsOf("      - env: " + variable + "\n");
    BOOST_TEST(validationError(specs.at(0)) == "");
    auto output = makeOutput(specs.at(0));
    BOOST_TEST(output->describe() == "env " + variable + " (registry environment of the broker's own account (HKCU))");
    output->publish(tokenOf("pat_hkcu"), "p");
    BOOST_TEST(regQuery("HKCU\\Environment", variable) == "pat_hkcu");
    output->withdraw();
    BOOST_TEST(regQuery("HKCU\\Environment", variable) == kAbsent);
}

BOOST_AUTO_TEST_CASE(scope_user_without_user_in_a_service_is_a_configuration_error_that_says_why)
{
    const auto specs = outputsOf("      - env: A_TOKEN\n"                       // 5
                                 "      - env: B_TOKEN\n"                       // 6
                                 "        scope: user\n"                        // 7
                                 "      - env: C_TOKEN\n"                       // 8
                                 "        scope: machine\n"                     // 9
                                 "      - { env: D_TOKEN, user: " + ownName() + " }\n");   // 10
    AsService service;
    const std::string why = ": scope: user without 'user:' in a service would write the service account's own "
                            "registry environment (its HKEY_CURRENT_USER), which no user's session reads; name the "
                            "user whose programs need it (user: NAME or a SID), or use scope: machine";
    BOOST_TEST(validationError(specs.at(0)) == "test.yaml:5:9: error: env output A_TOKEN" + why);
    BOOST_TEST(validationError(specs.at(1)) == "test.yaml:6:9: error: env output B_TOKEN" + why);
    // What a service can honour.
    BOOST_TEST(validationError(specs.at(2)) == "");
    BOOST_TEST(validationError(specs.at(3)) == "");
}

BOOST_AUTO_TEST_CASE(unknown_accounts_groups_and_bad_sids_are_refused_at_the_user_key)
{
    const auto specs = outputsOf("      - { env: T, user: no-such-user-tokenbroker }\n"   // 5
                                 "      - { env: T, user: Administrators }\n"             // 6
                                 "      - { env: T, user: S-1-5-32-544 }\n"               // 7
                                 "      - { env: T, user: S-1-bogus }\n"                  // 8
                                 "      - { env: T, user: NETWORK SERVICE }\n");          // 9
    BOOST_TEST(validationError(specs.at(0)).rfind(
                   "test.yaml:5:25: error: user: 'no-such-user-tokenbroker' is not a known Windows account", 0) == 0u,
               validationError(specs.at(0)));
    const std::string group = "' is a group, not a user: a group has no registry environment of its own; name a "
                              "user, or use scope: machine for every user";
    BOOST_TEST(validationError(specs.at(1)) == "test.yaml:6:25: error: user: 'Administrators" + group);
    BOOST_TEST(validationError(specs.at(2)) == "test.yaml:7:25: error: user: 'S-1-5-32-544" + group);
    BOOST_TEST(validationError(specs.at(3)).rfind("test.yaml:8:25: error: user: 'S-1-bogus' is not a valid SID", 0) == 0u,
               validationError(specs.at(3)));
    // A service account has a hive of its own, so it is a user here.
    BOOST_TEST(validationError(specs.at(4)) == "");
}

BOOST_AUTO_TEST_CASE(each_write_and_removal_is_broadcast_as_WM_SETTINGCHANGE_Environment)
{
    SettingChangeListener listener;
    if (!listener.created())
    {
        BOOST_TEST_MESSAGE("skipped: no top-level window can be created here (Windows error "
                           << ::GetLastError() << "), so no broadcast can be observed");
        return;
    }
    auto output = makeOutput(outputsOf("      - { env: " + uniqueVariable() + ", scope: machine }\n").at(0));
    // SendMessageTimeoutW returns after every window handled it, so the
    // listener has it by the time publish() returns.
    output->publish(tokenOf("pat_broadcast"), "p");
    BOOST_TEST(listener.received() == std::vector<std::string>({"Environment"}), boost::test_tools::per_element());
    output->withdraw();
    BOOST_TEST(listener.received() == std::vector<std::string>({"Environment", "Environment"}),
               boost::test_tools::per_element());
}
