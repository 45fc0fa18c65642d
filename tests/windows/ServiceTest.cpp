#define BOOST_TEST_MODULE ServiceTest
#include <boost/test/unit_test.hpp>

// tokenbroker.exe as a Windows service, driven the way an administrator
// does: /registerService, `net start`, PARAMCHANGE, `net stop`,
// /unregisterService, with the service control manager's view read through
// QueryServiceStatusEx and QueryServiceConfigW. Under wine `net start` and
// `net stop` return before the final state, so each state is polled; the
// Event Log cannot be read back (ReportEventW is a stub), so the event
// source's registration and a report through it are what is checked.

#include "EngineTestSupport.h"
#include "ServiceQuery.h"
#include "TextMatch.h"
#include "Win32Text_win32.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <windows.h>

#include <memory>
#include <random>
#include <sstream>

using namespace TokenBroker;
using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

const wchar_t* const kService = L"TokenBroker";
const wchar_t* const kEventSourceKey = L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\TokenBroker";
const std::string kMachineEnvironment = "SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment";

bool serviceExists()
{
    return openTokenBrokerService(SERVICE_QUERY_STATUS) != nullptr;
}

/// Polls the SCM until the service reaches `state`, or stops with an
/// error; returns the status then, or the last one seen after `timeout`.
SERVICE_STATUS_PROCESS waitForState(DWORD state, std::chrono::milliseconds timeout)
{
    SERVICE_STATUS_PROCESS status = queryServiceStatus();
    waitUntil([&] {
        status = queryServiceStatus();
        return status.dwCurrentState == state ||
               (status.dwCurrentState == SERVICE_STOPPED && status.dwWin32ExitCode != NO_ERROR);
    }, timeout);
    return status;
}

/// QueryServiceConfig2W of one level, as raw bytes, or nothing when the
/// service manager does not know the level.
std::optional<std::vector<BYTE>> queryConfig2Optional(DWORD level)
{
    ServiceHandle service = openTokenBrokerService(SERVICE_QUERY_CONFIG);
    BOOST_REQUIRE(static_cast<bool>(service));
    std::vector<BYTE> buffer(4096);
    DWORD needed = 0;
    if (::QueryServiceConfig2W(service.get(), level, buffer.data(), static_cast<DWORD>(buffer.size()), &needed))
        return buffer;
    BOOST_REQUIRE_MESSAGE(::GetLastError() == ERROR_INVALID_LEVEL,
                          "QueryServiceConfig2W(" << level << ") failed: " << ::GetLastError());
    return std::nullopt;
}

/// QueryServiceConfig2W of a level every service manager knows.
std::vector<BYTE> queryConfig2(DWORD level)
{
    auto answer = queryConfig2Optional(level);
    BOOST_REQUIRE(answer.has_value());
    return std::move(*answer);
}

std::optional<std::string> registryString(HKEY root, const std::string& key, const std::string& name)
{
    wchar_t value[4096];
    DWORD size = sizeof value;
    if (::RegGetValueW(root, Win32::wide(key).c_str(), Win32::wide(name).c_str(), RRF_RT_REG_SZ | RRF_RT_REG_EXPAND_SZ |
                       RRF_NOEXPAND, nullptr, value, &size) != ERROR_SUCCESS)
        return std::nullopt;
    return Win32::narrow(value);
}

bool registryKeyExists(HKEY root, const wchar_t* key)
{
    HKEY handle = nullptr;
    if (::RegOpenKeyExW(root, key, 0, KEY_READ, &handle) != ERROR_SUCCESS)
        return false;
    ::RegCloseKey(handle);
    return true;
}

RunResult tokenbroker(const std::vector<std::string>& args)
{
    ChildProcess::Options options;
    options.args = args;
    options.unsetEnv = {"TOKENBROKER_CONFIG"};
    return run(TOKENBROKER_EXE, options);
}

/// `net start|stop TokenBroker`, as an administrator types it.
RunResult net(const std::string& verb)
{
    wchar_t system[MAX_PATH];
    const UINT length = ::GetSystemDirectoryW(system, MAX_PATH);
    ChildProcess::Options options;
    options.args = {verb, "TokenBroker"};
    return run(Win32::narrow(std::wstring(system, length)) + "\\net.exe", options);
}

std::string uniqueName(const std::string& prefix)
{
    std::random_device random;
    std::ostringstream name;
    name << prefix << std::hex << random() << random();
    return name.str();
}

/// Leaves the wine prefix as the suite found it: no service, no event
/// source, no data directory (before each case, in case an earlier run
/// died half-way, and after).
struct CleanMachine
{
    CleanMachine() { clean(); }
    ~CleanMachine() { clean(); }

    static void clean()
    {
        if (serviceExists())
            tokenbroker({"/unregisterService"});
        Poco::File data(serviceDataDirectory());
        if (data.exists())
            data.remove(true);
    }
};

/// A config at the default path with jwt profiles against the emulator;
/// each profile writes a token file in the suite's own directory and, for
/// the first, a machine environment variable.
struct ServiceConfigFile
{
    TempDir out;
    std::string variable = uniqueName("TOKENBROKER_SERVICE_TEST_");

    ~ServiceConfigFile() { ::RegDeleteKeyValueW(HKEY_LOCAL_MACHINE, Win32::wide(kMachineEnvironment).c_str(),
                                                Win32::wide(variable).c_str()); }

    std::string tokenFile(const std::string& profile) const { return out.file(profile + ".token"); }

    std::string profile(const std::string& name, const EmulatorProcess& emulator, bool withEnvironment) const
    {
        std::string text = "  " + name + ":\n"
                           "    flow: jwt\n"
                           "    base_url: " + emulator.baseUrl() + "\n"
                           "    ca_file: '" + emulator.caFile() + "'\n"
                           "    client_id: \"" + kClientId + "\"\n"
                           "    public_key_id: " + kKeyId + "\n"
                           "    private_key: { file: '" + Keys::get().privateKey + "' }\n"
                           "    outputs:\n"
                           "      - file: '" + tokenFile(name) + "'\n";
        if (withEnvironment)
            text += "      - env: " + variable + "\n        scope: machine\n";
        return text;
    }

    /// The service's log: the YAML `logging:` section sends it to this
    /// file instead of the Event Log, which wine cannot show.
    std::string logFile() const { return serviceDataDirectory() + "\\logs\\service.log"; }
    std::string log() const { return Poco::File(logFile()).exists() ? readFile(logFile()) : "(no log file)"; }

    void write(const std::string& profiles) const
    {
        Poco::File(serviceDataDirectory()).createDirectories();
        writeFile(serviceDataDirectory() + "\\tokenbroker.yaml",
                  "broker:\n  admin: off\n"
                  "logging:\n"
                  "  loggers: { root: { channel: file, level: information } }\n"
                  "  channels: { file: { class: FileChannel, path: '" + logFile() + "' } }\n"
                  "profiles:\n" + profiles);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(Registration)

BOOST_AUTO_TEST_CASE(register_service_sets_up_the_service_its_event_source_and_data_directory)
{
    CleanMachine machine;
    RunResult registered = tokenbroker({"/registerService"});
    BOOST_TEST_REQUIRE(registered.status == 0, registered.out + registered.err);
    BOOST_TEST(contains(registered.out, "registered the TokenBroker service"), registered.out);

    const ServiceConfig config = queryServiceConfig();
    const std::string exe = Poco::Path(TOKENBROKER_EXE).makeAbsolute().toString();
    BOOST_TEST(contains(config.binaryPath, "tokenbroker.exe --service"), config.binaryPath);
    BOOST_TEST(!contains(config.binaryPath, "--config"), "no -c given, so the default path: " << config.binaryPath);
    BOOST_TEST(config.startType == static_cast<DWORD>(SERVICE_AUTO_START));
    BOOST_TEST(config.displayName == "TokenBroker");
    BOOST_TEST(config.account == "LocalSystem");

    auto description = queryConfig2(SERVICE_CONFIG_DESCRIPTION);
    const auto* text = reinterpret_cast<SERVICE_DESCRIPTIONW*>(description.data());
    BOOST_TEST(contains(Win32::narrow(text->lpDescription), "Keeps API access tokens fresh"));
    // Wine's service manager has no delayed start (ERROR_INVALID_LEVEL):
    // there registration says so; where it has one, it is set.
    if (const auto delayed = queryConfig2Optional(SERVICE_CONFIG_DELAYED_AUTO_START_INFO))
        BOOST_TEST(reinterpret_cast<const SERVICE_DELAYED_AUTO_START_INFO*>(delayed->data())->fDelayedAutostart == TRUE);
    else
        BOOST_TEST(contains(registered.out, "start: automatic (this system has no delayed start)"), registered.out);
    BOOST_TEST(contains(registered.out, "recovery: restart after 5 s, 30 s, 60 s after a crash"), registered.out);

    const std::string sourceKey = Win32::narrow(kEventSourceKey);
    const auto messageFile = registryString(HKEY_LOCAL_MACHINE, sourceKey, "EventMessageFile");
    BOOST_TEST_REQUIRE(messageFile.has_value(), "no Event Log source TokenBroker");
    BOOST_TEST(contains(*messageFile, "tokenbroker.exe"), *messageFile);
    BOOST_TEST((registryString(HKEY_LOCAL_MACHINE, sourceKey, "CategoryMessageFile") == messageFile));
    // The source is usable: a report through it succeeds (wine cannot
    // show the event afterwards).
    HANDLE source = ::RegisterEventSourceW(nullptr, kService);
    BOOST_TEST_REQUIRE(source != nullptr);
    const wchar_t* strings[] = {L"ServiceTest: an event through the TokenBroker source"};
    BOOST_TEST(::ReportEventW(source, EVENTLOG_INFORMATION_TYPE, 6, 0x1000, nullptr, 1, 0, strings, nullptr) != 0);
    ::DeregisterEventSource(source);

    const std::string data = serviceDataDirectory();
    for (const std::string& dir : {data, data + "\\state", data + "\\logs"})
        BOOST_TEST(Poco::File(dir).isDirectory(), dir << " was not created");

    // Registering again (an upgrade, a new -c) updates it in place.
    TempDir elsewhere;
    const std::string otherConfig = elsewhere.file("other.yaml");
    RunResult again = tokenbroker({"/registerService", "-c", otherConfig});
    BOOST_TEST_REQUIRE(again.status == 0, again.out + again.err);
    BOOST_TEST(contains(again.out, "updated the TokenBroker service"), again.out);
    BOOST_TEST(contains(queryServiceConfig().binaryPath, "--config=" + otherConfig), queryServiceConfig().binaryPath);
    BOOST_TEST(contains(again.out, "warning: the service will not start until the configuration's errors are fixed"),
               "the missing file is reported: " << again.out);

    RunResult removed = tokenbroker({"/unregisterService"});
    BOOST_TEST(removed.status == 0, removed.out + removed.err);
    BOOST_TEST(contains(removed.out, "removed the TokenBroker service"), removed.out);
    BOOST_TEST(!serviceExists());
    BOOST_TEST(!registryKeyExists(HKEY_LOCAL_MACHINE, kEventSourceKey), "the event source stays registered");
    BOOST_TEST(Poco::File(serviceDataDirectory() + "\\state").isDirectory(), "unregistering removed the state");

    RunResult nothing = tokenbroker({"/unregisterService"});
    BOOST_TEST(nothing.status == 0, nothing.err);
    BOOST_TEST(contains(nothing.out, "not registered; nothing to remove"), nothing.out);
}

BOOST_AUTO_TEST_CASE(the_service_option_outside_the_service_manager_is_a_usage_error)
{
    RunResult console = tokenbroker({"--service"});
    BOOST_TEST(console.status == 2);
    BOOST_TEST(contains(console.err, "is for the service control manager"), console.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Lifecycle)

BOOST_AUTO_TEST_CASE(the_service_starts_after_its_first_pass_reloads_on_paramchange_and_stops_cleanly)
{
    CleanMachine machine;
    auto emulator = startEmulator();
    ServiceConfigFile config;
    config.write(config.profile("first", *emulator, true));
    RunResult registered = tokenbroker({"/registerService"});
    BOOST_TEST_REQUIRE(registered.status == 0, registered.out + registered.err);
    // As an administrator would before starting it: the default config.
    RunResult checked = tokenbroker({"check"});
    BOOST_TEST_REQUIRE(checked.out == "ok: 1 profiles\n", checked.out + checked.err);

    RunResult started = net("start");
    BOOST_TEST_MESSAGE("net start: " << started.status << " " << started.out << started.err);
    SERVICE_STATUS_PROCESS status = waitForState(SERVICE_RUNNING, 60s);
    BOOST_TEST_REQUIRE(serviceStateName(status.dwCurrentState) == "RUNNING",
                       serviceStateName(status.dwCurrentState) << ", exit code " << status.dwWin32ExitCode << "/"
                                                               << status.dwServiceSpecificExitCode << "; log: "
                                                               << config.log());
    BOOST_TEST(contains(config.log(), "the service is running"), config.log());
    // RUNNING is reported after the first pass: the token is there already.
    BOOST_TEST_REQUIRE(Poco::File(config.tokenFile("first")).exists(),
                       "RUNNING was reported before the first profile's token was written");
    BOOST_TEST(contains(readFile(config.tokenFile("first")), "czs_"), readFile(config.tokenFile("first")));
    BOOST_TEST((status.dwControlsAccepted & SERVICE_ACCEPT_PARAMCHANGE) != 0);
    BOOST_TEST((status.dwControlsAccepted & SERVICE_ACCEPT_STOP) != 0);
    const auto environment = registryString(HKEY_LOCAL_MACHINE, kMachineEnvironment, config.variable);
    // The raw file ends its one line with a newline; the value has none.
    BOOST_TEST((environment && *environment + "\n" == readFile(config.tokenFile("first"))),
               "the machine environment holds '" << environment.value_or("(nothing)") << "', the file '"
                                                 << readFile(config.tokenFile("first")) << "'");

    // PARAMCHANGE re-reads the file: a profile added to it gets its token.
    config.write(config.profile("first", *emulator, true) + config.profile("second", *emulator, false));
    {
        ServiceHandle service = openTokenBrokerService(SERVICE_PAUSE_CONTINUE);
        BOOST_TEST_REQUIRE(static_cast<bool>(service));
        SERVICE_STATUS answer{};
        BOOST_TEST_REQUIRE(::ControlService(service.get(), SERVICE_CONTROL_PARAMCHANGE, &answer),
                           "ControlService(PARAMCHANGE) failed: " << ::GetLastError());
    }
    BOOST_TEST(waitUntil([&] { return Poco::File(config.tokenFile("second")).exists(); }, 30s),
               "the profile added before PARAMCHANGE got no token: " << config.log());
    BOOST_TEST(contains(config.log(), "reloaded: 2 profiles"), config.log());
    BOOST_TEST(queryServiceStatus().dwCurrentState == static_cast<DWORD>(SERVICE_RUNNING));

    RunResult stopped = net("stop");
    BOOST_TEST_MESSAGE("net stop: " << stopped.status << " " << stopped.out << stopped.err);
    status = waitForState(SERVICE_STOPPED, 60s);
    BOOST_TEST_REQUIRE(serviceStateName(status.dwCurrentState) == "STOPPED", config.log());
    BOOST_TEST(status.dwWin32ExitCode == static_cast<DWORD>(NO_ERROR), "exit code " << status.dwWin32ExitCode);
    BOOST_TEST(contains(config.log(), "stopped"), config.log());
    BOOST_TEST(status.dwServiceSpecificExitCode == 0u);

    RunResult removed = tokenbroker({"/unregisterService"});
    BOOST_TEST(removed.status == 0, removed.out + removed.err);
    BOOST_TEST(!serviceExists());
}

BOOST_AUTO_TEST_CASE(a_configuration_error_stops_the_service_with_exit_code_2)
{
    CleanMachine machine;
    Poco::File(serviceDataDirectory()).createDirectories();
    writeFile(serviceDataDirectory() + "\\tokenbroker.yaml", "broker:\n  admin: off\n  stat_dir: x\nprofiles: {}\n");
    RunResult registered = tokenbroker({"/registerService"});
    BOOST_TEST_REQUIRE(registered.status == 0, registered.out + registered.err);
    BOOST_TEST(contains(registered.out, "tokenbroker.yaml:3:3: error: unknown key 'stat_dir'"), registered.out);

    net("start");
    // START_PENDING, then STOPPED: it never claims to run.
    SERVICE_STATUS_PROCESS status = waitForState(SERVICE_STOPPED, 60s);
    BOOST_TEST_REQUIRE(serviceStateName(status.dwCurrentState) == "STOPPED");
    BOOST_TEST(status.dwWin32ExitCode == static_cast<DWORD>(ERROR_SERVICE_SPECIFIC_ERROR),
               "exit code " << status.dwWin32ExitCode);
    BOOST_TEST(status.dwServiceSpecificExitCode == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
