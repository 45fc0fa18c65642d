#define BOOST_TEST_MODULE RotationHookTest
#include <boost/test/unit_test.hpp>

// on_rotate after each new token: argv without a shell of its own (the
// tests name /bin/sh explicitly where they need one), a clean environment
// that says which profile rotated and where its outputs are but never holds
// the token or the daemon's own secrets, output logged, killed after
// on_rotate_timeout, failures reported and never fatal.

#include "EngineTestSupport.h"
#include "TestPlatform.h"

#include <sstream>
#include <thread>

#include <Poco/File.h>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

/// Why these cases do not run on Windows.
constexpr const char* kShellHooks =
    "the hooks are /bin/sh scripts; Windows hooks (argument quoting, Job Objects) are tested in tests/windows";

/// `on_rotate: ["/bin/sh", "-c", SCRIPT]` plus more profile lines.
std::string hook(const std::string& script, const std::string& more = "")
{
    return "    on_rotate: [\"/bin/sh\", \"-c\", \"" + script + "\"]\n" + more;
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
    TOKENBROKER_SKIP_ON_WINDOWS(kShellHooks);
    TempDir hookDir;
    const std::string envFile = hookDir.file("hook.env");
    const std::string sawFile = hookDir.file("hook.saw");
    // The hook records its environment and what the output held when it ran.
    JwtDaemon world(hook("env > " + envFile + "; IFS=:; set -- $TOKENBROKER_OUTPUTS; cat $1 > " + sawFile + "; echo rotated-ok"),
                    kFastRefresh, {{"COZE_API_TOKEN", kDaemonSecret}, {"TOKENBROKER_EXTRA_SECRET", kDaemonSecret}});
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: /bin/sh succeeded; it said: rotated-ok", 10s),
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
    BOOST_TEST(variable("TOKENBROKER_OUTPUTS") == world.tokenFile() + ":" + world.jsonFile(), envText);
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
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: /bin/sh succeeded", 10s, 2), world.daemon->log());
    const std::string second = withoutNewline(readFile(world.tokenFile()));
    BOOST_TEST(second != token);
    BOOST_TEST(withoutNewline(readFile(sawFile)) == second);
    BOOST_TEST(!contains(readFile(envFile), second));
}

BOOST_AUTO_TEST_CASE(a_hook_that_outlives_on_rotate_timeout_is_killed_and_the_daemon_goes_on)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kShellHooks);
    TempDir hookDir;
    const std::string pidFile = hookDir.file("hook.pid");
    JwtDaemon world(hook("echo $$ > " + pidFile + "; echo started; exec sleep 60", "    on_rotate_timeout: 1s\n"));
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: /bin/sh did not finish within 1 s and was killed; it said: started",
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

BOOST_AUTO_TEST_CASE(sigterm_while_a_hook_runs_stops_the_hook_and_the_daemon_promptly)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kShellHooks);
    TempDir hookDir;
    const std::string pidFile = hookDir.file("hook.pid");
    const std::string firstRun = hookDir.file("first-run-done");
    // The first rotation's hook returns at once (the fixture waits for that
    // renewal); the second one hangs until it is stopped.
    JwtDaemon world(hook("if [ -f " + firstRun + " ]; then echo $$ > " + pidFile + "; exec sleep 60; fi; touch " +
                             firstRun,
                         "    on_rotate_timeout: 1m\n"));
    BOOST_REQUIRE_EQUAL(world.daemon->adminPost("/v1/profiles/svc/refresh").status, 202);
    // The hook has written its whole pid line (echo ends it with a newline).
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
    TOKENBROKER_SKIP_ON_WINDOWS(kShellHooks);
    JwtDaemon world(hook("echo boom >&2; exit 3"));
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: /bin/sh exited with status 3; it said: boom", 10s),
                       world.daemon->log());
    BOOST_TEST(!linesWith(world.daemon->log(), "on_rotate: /bin/sh exited with status 3").empty());
    BOOST_TEST(contains(linesWith(world.daemon->log(), "on_rotate: /bin/sh exited")[0], " Error "));
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
    TOKENBROKER_SKIP_ON_WINDOWS(kShellHooks);
    JwtDaemon world("    on_rotate: [\"/nonexistent/rotate-hook\", \"--now\"]\n");
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("on_rotate: cannot run /nonexistent/rotate-hook: ", 10s),
                       world.daemon->log());
    BOOST_TEST(profileStatus(*world.daemon, "svc") == "ready");
    BOOST_TEST(readFile(world.tokenFile()).rfind("czs_", 0) == 0);
}
