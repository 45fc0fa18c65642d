#define BOOST_TEST_MODULE InstallerTest
#include <boost/test/unit_test.hpp>

// The NSIS installer run silently under wine, as a deployment tool runs it:
// a first install (service registered, files and the example config in
// place, not started while the config has no profiles), an upgrade over a
// changed config (config untouched, service started now that it has a
// profile), a silent uninstall (service and program files gone, config and
// state kept) and /PURGE. The uninstaller re-launches itself from a
// temporary copy and returns at once, so its results are polled.

#include "EngineTestSupport.h"
#include "ServiceQuery.h"
#include "TempDir.h"
#include "TextMatch.h"
#include "Win32Text_win32.h"

#include <Poco/Environment.h>
#include <Poco/File.h>

#include <windows.h>


using namespace TokenBroker;
using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;
using namespace std::chrono_literals;

namespace {

/// The SCM's state of the service, or 0 when it is not registered.
DWORD serviceState()
{
    return queryServiceStatus().dwCurrentState;
}

bool exists(const std::string& path)
{
    return Poco::File(path).exists();
}

std::string installDirectory()
{
    return Poco::Environment::get("ProgramW6432", "C:\\Program Files") + "\\TokenBroker";
}


std::string configFile()
{
    return serviceDataDirectory() + "\\tokenbroker.yaml";
}

RunResult runProgram(const std::string& program, const std::vector<std::string>& args)
{
    ChildProcess::Options options;
    options.args = args;
    return run(program, options, 5min);
}

/// The uninstaller's work is done once the service and the program files
/// are gone (it returned before doing it).
bool uninstalled()
{
    return serviceState() == 0 && !exists(installDirectory() + "\\bin\\tokenbroker.exe") &&
           !exists(installDirectory() + "\\uninstall.exe");
}

/// What an unfinished uninstall left, for the failure message.
std::string leftovers()
{
    std::string left;
    if (const DWORD state = serviceState())
        left += " the service (" + serviceStateName(state) + ");";
    for (const char* file : {"\\bin\\tokenbroker.exe", "\\uninstall.exe"})
        if (exists(installDirectory() + file))
            left += std::string(" ") + file + ";";
    return left;
}

/// No install, no service, no data before and after each case.
struct CleanMachine
{
    CleanMachine() { clean(); }
    ~CleanMachine() { clean(); }

    static void clean()
    {
        const std::string uninstaller = installDirectory() + "\\uninstall.exe";
        if (exists(uninstaller))
        {
            runProgram(uninstaller, {"/S", "/PURGE"});
            waitUntil(uninstalled, 60s);
        }
        for (const std::string& dir : {installDirectory(), serviceDataDirectory()})
            if (exists(dir))
                Poco::File(dir).remove(true);
    }
};

void install()
{
    RunResult setup = runProgram(TOKENBROKER_SETUP_EXE, {"/S"});
    BOOST_TEST_REQUIRE(setup.status == 0, "the installer exited " << setup.status << ": " << setup.out << setup.err);
}

} // namespace

BOOST_AUTO_TEST_CASE(install_upgrade_over_a_changed_config_and_uninstall_keeping_config_and_state)
{
    CleanMachine machine;

    install();
    for (const char* file : {"\\bin\\tokenbroker.exe", "\\lib\\tokenbroker\\plugins\\pat.dll",
                                   "\\lib\\tokenbroker\\plugins\\jwt.dll", "\\lib\\tokenbroker\\plugins\\oauth.dll",
                                   "\\lib\\tokenbroker\\plugins\\oauth2.dll",
                                   "\\share\\doc\\tokenbroker\\README.md", "\\uninstall.exe"})
        BOOST_TEST(exists(installDirectory() + file), file << " was not installed");
    BOOST_TEST_REQUIRE(serviceState() != 0u, "the installer did not register the service");
    BOOST_TEST(contains(queryServiceConfig().binaryPath, installDirectory() + "\\bin\\tokenbroker.exe"),
               queryServiceConfig().binaryPath);
    BOOST_TEST_REQUIRE(exists(configFile()), "no example configuration");
    BOOST_TEST(contains(readFile(configFile()), "profiles: {}"));
    BOOST_TEST(Poco::File(serviceDataDirectory() + "\\state").isDirectory());
    BOOST_TEST(Poco::File(serviceDataDirectory() + "\\logs").isDirectory());
    BOOST_TEST(serviceState() == static_cast<DWORD>(SERVICE_STOPPED),
               "a config without profiles must not be started");

    // The administrator's config: one profile. An upgrade keeps it and,
    // since it has a profile now, starts the service.
    TempDir out;
    const std::string tokenFile = out.file("installed.token");
    const std::string changed = "# edited by the administrator\n"
                                "broker:\n  admin: off\n"
                                "profiles:\n"
                                "  installed:\n"
                                "    flow: pat\n"
                                "    token: pat_installed_by_the_test\n"
                                "    outputs:\n"
                                "      - file: '" + tokenFile + "'\n";
    writeFile(configFile(), changed);
    writeFile(serviceDataDirectory() + "\\state\\keep.json", "{}");
    install();
    BOOST_TEST(readFile(configFile()) == changed, "the upgrade changed the administrator's config");
    BOOST_TEST(waitUntil([] { return serviceState() == SERVICE_RUNNING; }, 60s),
               "a config with a profile: the installer starts the service");
    BOOST_TEST(waitUntil([&] { return exists(tokenFile) && readFile(tokenFile) == "pat_installed_by_the_test\n"; }, 30s),
               "the started service wrote no token");

    RunResult uninstall = runProgram(installDirectory() + "\\uninstall.exe", {"/S"});
    BOOST_TEST(uninstall.status == 0);
    BOOST_TEST_REQUIRE(waitUntil(uninstalled, 60s), "still there after 60 s:" << leftovers());
    BOOST_TEST(!exists(installDirectory()), "the program directory was left behind");
    BOOST_TEST(readFile(configFile()) == changed, "the uninstaller did not keep the config");
    BOOST_TEST(exists(serviceDataDirectory() + "\\state\\keep.json"), "the uninstaller did not keep the state");
}

BOOST_AUTO_TEST_CASE(uninstall_with_purge_removes_config_and_state_too)
{
    CleanMachine machine;
    install();
    BOOST_TEST_REQUIRE(exists(configFile()));
    runProgram(installDirectory() + "\\uninstall.exe", {"/S", "/PURGE"});
    BOOST_TEST_REQUIRE(waitUntil(uninstalled, 60s), "still there after 60 s:" << leftovers());
    BOOST_TEST(waitUntil([] { return !exists(serviceDataDirectory()); }, 30s), "/PURGE kept " << serviceDataDirectory());
}
