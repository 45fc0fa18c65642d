#define BOOST_TEST_MODULE RotationHookTest
#include <boost/test/unit_test.hpp>

// on_rotate after each new token: argv without a shell of its own, a clean
// environment that says which profile rotated and where its outputs are but
// never holds the token or the daemon's own secrets, output logged, killed
// after on_rotate_timeout, failures reported and never fatal. The hook is
// tokenbroker-test-helper's `hook` (TestHelper.cpp), a real program that
// does what a shell script would, so the same cases run on Windows.

#include "EngineTestSupport.h"
#include "TestPlatform.h"

#include <sstream>
#include <thread>

#include <Poco/File.h>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

const std::string kHook = TOKENBROKER_TEST_HELPER;

/// `on_rotate: [HELPER, hook, ACTIONS...]` plus more profile lines. Single
/// quotes: Windows paths have backslashes, which YAML's double quotes escape.
std::string hook(const std::vector<std::string>& actions, const std::string& more = "")
{
    return helperHookLine(kHook, actions) + more;
}

std::map<std::string, std::string> parseEnv(const std::string& text)
{
    std::map<std::string, std::string> env;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
    {
        const std::size_t eq = line.find('=');
        if (eq != std::string::npos)
            env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return env;
}

std::string withoutNewline(std::string text)
{
    while (!text.empty() && text.back() == '\n')
        text.pop_back();
    return text;
}

constexpr const char* kDaemonSecret = "pat_daemon_secret_must_not_leak";

} // namespace

BOOST_AUTO_TEST_CASE(the_hook_sees_profile_expiry_and_outputs_but_never_the_token)
{
    TempDir hookDir;
    const std::string envFile = hookDir.file("hook.env");
    const std::string sawFile = hookDir.file("hook.saw");
    // The hook records its environment and what the output held when it ran.
    JwtDaemon world(hook({"env>" + envFile, "first-output>" + sawFile, "say:rotated-ok"}),
                    kFastRefresh, {{"COZE_API_TOKEN", kDaemonSecret}, {"TOKENBROKER_EXTRA_SECRET", kDaemonSecret}});
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: " + kHook + " succeeded; it said: rotated-ok", 10s),
                       world.daemon->log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(sawFile).exists && fileState(envFile).exists; }, 5s));

    const std::string token = withoutNewline(readFile(world.tokenFile()));
    BOOST_TEST_REQUIRE(token.rfind("czs_", 0) == 0, token);
    // The token was written before the hook ran.
    BOOST_TEST(withoutNewline(readFile(sawFile)) == token);

    const std::string envText = readFile(envFile);
    const auto env = parseEnv(envText);
    auto variable = [&](const std::string& name) { return env.count(name) ? env.at(name) : "(unset)"; };
    BOOST_TEST(variable("TOKENBROKER_PROFILE") == "svc");
    BOOST_TEST(variable("TOKENBROKER_FLOW") == "jwt");
    const std::string pathListSeparator = onWindows() ? ";" : ":";
    BOOST_TEST(variable("TOKENBROKER_OUTPUTS") == world.tokenFile() + pathListSeparator + world.jsonFile(), envText);
    const auto expires = profileView(*world.daemon, "svc")->getValue<Poco::Int64>("expires_at");
    BOOST_TEST(expires > 0);
    BOOST_TEST(variable("TOKENBROKER_EXPIRES_AT") == std::to_string(expires), envText);

    // Never the token, in any variable, nor the daemon's own environment.
    for (const auto& [name, value] : env)
    {
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST(value != token);
            BOOST_TEST(!contains(value, token));
            BOOST_TEST(!contains(value, kDaemonSecret));
        }
    }
    BOOST_TEST(!contains(envText, token));
    BOOST_TEST(!contains(envText, kDaemonSecret));
    BOOST_TEST(env.count("COZE_API_TOKEN") == 0u);
    BOOST_TEST(env.count("TOKENBROKER_EXTRA_SECRET") == 0u);
    BOOST_TEST(!contains(world.daemon->log(), token), "the token must not reach the log");

    // Each rotation runs the hook again, with the new expiry.
    BOOST_REQUIRE_EQUAL(world.daemon->adminPost("/v1/profiles/svc/refresh").status, 202);
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: " + kHook + " succeeded", 10s, 2), world.daemon->log());
    const std::string second = withoutNewline(readFile(world.tokenFile()));
    BOOST_TEST(second != token);
    BOOST_TEST(withoutNewline(readFile(sawFile)) == second);
    BOOST_TEST(!contains(readFile(envFile), second));
}

BOOST_AUTO_TEST_CASE(the_hook_inherits_no_descriptor_but_stdin_stdout_and_stderr)
{
    // Once a hook got the admin endpoint's listening socket and the live
    // TLS connection; a background child of it kept the port, and the next
    // daemon ran without its endpoint.
    TOKENBROKER_SKIP_ON_WINDOWS("a Windows hook inherits only the handles named in its "
                                "PROC_THREAD_ATTRIBUTE_HANDLE_LIST (HookProcess_win32.cpp)");
    TempDir hookDir;
    const std::string fdsFile = hookDir.file("hook.fds");
    JwtDaemon world(hook({"fds>" + fdsFile, "say:listed"}));
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: " + kHook + " succeeded; it said: listed", 10s),
                       world.daemon->log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(fdsFile).exists; }, 5s));
    // Renewed with the admin endpoint serving a request at that moment.
    BOOST_REQUIRE_EQUAL(world.daemon->adminPost("/v1/profiles/svc/refresh").status, 202);
    BOOST_TEST_REQUIRE(world.waitForRenewals(2), world.daemon->log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return countOf(world.daemon->log(), "it said: listed") >= 2u; }, 10s));
    BOOST_TEST(readFile(fdsFile) == "", "the hook inherited:\n" << readFile(fdsFile));
}

BOOST_AUTO_TEST_CASE(a_hook_that_outlives_on_rotate_timeout_is_killed_and_the_daemon_goes_on)
{
    TempDir hookDir;
    const std::string pidFile = hookDir.file("hook.pid");
    JwtDaemon world(hook({"pid>" + pidFile, "say:started", "sleep:60"}, "    on_rotate_timeout: 1s\n"));
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: " + kHook + " did not finish within 1 s and was killed; it said: started",
                                                15s),
                       world.daemon->log());
    const ProcessId pid = std::stol(readFile(pidFile));
    BOOST_TEST(pid > 0);
    BOOST_TEST(!processExists(pid), "the hook (pid " << pid << ") is still running");
    // The token was published regardless, and the profile is healthy.
    BOOST_TEST(readFile(world.tokenFile()).rfind("czs_", 0) == 0);
    BOOST_TEST(profileStatus(*world.daemon, "svc") == "ready");

    // The daemon goes on: the next renewal works and meets the same fate.
    const std::string first = readFile(world.tokenFile());
    BOOST_REQUIRE_EQUAL(world.daemon->adminPost("/v1/profiles/svc/refresh").status, 202);
    BOOST_TEST_REQUIRE(world.waitForRenewals(2, 15s), world.daemon->log());
    BOOST_TEST(readFile(world.tokenFile()) != first);
    BOOST_TEST(world.daemon->waitForLog("did not finish within 1 s and was killed", 10s, 2), world.daemon->log());
    BOOST_TEST(world.daemon->process().running());
}

BOOST_AUTO_TEST_CASE(a_stop_while_a_hook_runs_stops_the_hook_and_the_daemon_promptly)
{
    TempDir hookDir;
    const std::string pidFile = hookDir.file("hook.pid");
    const std::string firstRun = hookDir.file("first-run-done");
    // The first rotation's hook returns at once (the fixture waits for that
    // renewal); the second one hangs until it is stopped.
    JwtDaemon world(hook({"once:" + firstRun, "pid>" + pidFile, "sleep:60"}, "    on_rotate_timeout: 1m\n"));
    BOOST_REQUIRE_EQUAL(world.daemon->adminPost("/v1/profiles/svc/refresh").status, 202);
    // The hook has written its whole pid line (it ends with a newline).
    auto pidWritten = [&] {
        if (!Poco::File(pidFile).exists())
            return false;
        const std::string text = readFile(pidFile);
        return !text.empty() && text.back() == '\n';
    };
    BOOST_REQUIRE(waitUntil(pidWritten, 10s));
    const ProcessId pid = std::stol(readFile(pidFile));
    BOOST_REQUIRE(processExists(pid));

    world.daemon->process().requestStop();
    auto status = world.daemon->process().wait(5s);
    BOOST_REQUIRE(status);
    BOOST_TEST(*status == 0);
    bool gone = false;
    for (int i = 0; i < 100 && !gone; ++i)
    {
        gone = !processExists(pid);
        std::this_thread::sleep_for(20ms);
    }
    BOOST_TEST(gone, "the hook (pid " << pid << ") outlived the daemon");
    BOOST_TEST(!contains(world.daemon->log(), "cancelling"), world.daemon->log());
}

BOOST_AUTO_TEST_CASE(a_failing_hook_is_reported_and_not_fatal)
{
    JwtDaemon world(hook({"say-err:boom", "exit:3"}));
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: " + kHook + " exited with status 3; it said: boom", 10s),
                       world.daemon->log());
    BOOST_TEST(!linesWith(world.daemon->log(), "on_rotate: " + kHook + " exited with status 3").empty());
    BOOST_TEST(contains(linesWith(world.daemon->log(), "on_rotate: " + kHook + " exited")[0], " Error "));
    BOOST_TEST(profileStatus(*world.daemon, "svc") == "ready");
    BOOST_TEST(readFile(world.tokenFile()).rfind("czs_", 0) == 0);
    BOOST_TEST(!contains(world.daemon->log(), "not retrying"));

    const std::string first = readFile(world.tokenFile());
    BOOST_REQUIRE_EQUAL(world.daemon->adminPost("/v1/profiles/svc/refresh").status, 202);
    BOOST_TEST_REQUIRE(world.waitForRenewals(2, 15s), world.daemon->log());
    BOOST_TEST(readFile(world.tokenFile()) != first);
    BOOST_TEST(world.daemon->waitForLog("exited with status 3", 10s, 2), world.daemon->log());
    // A failed hook does not count as a failed renewal.
    BOOST_TEST(retryLines(world.daemon->log(), "svc").empty());
}

BOOST_AUTO_TEST_CASE(a_hook_that_cannot_start_is_reported_and_not_fatal)
{
    // An executable file that is no program: `check` finds it, the system
    // refuses to start it (a missing one is refused by `check` itself:
    // ConfigTest's on_rotate cases).
    TempDir hookDir;
    const std::string notAProgram = hookDir.file("rotate-hook.exe");
    writeFile(notAProgram, "neither a script nor a binary\n", 0755);
    JwtDaemon world("    on_rotate: ['" + notAProgram + "', '--now']\n");
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: cannot run " + notAProgram + ": ", 10s),
                       world.daemon->log());
    BOOST_TEST(profileStatus(*world.daemon, "svc") == "ready");
    BOOST_TEST(readFile(world.tokenFile()).rfind("czs_", 0) == 0);
}
