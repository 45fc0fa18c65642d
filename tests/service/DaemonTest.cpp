#define BOOST_TEST_MODULE DaemonTest
#include <boost/test/unit_test.hpp>

// The tokenbroker executable as a real process: commands, exit codes,
// --daemon with a pidfile, and the signal loop (HUP reloads, TERM stops).

#include "ChildProcess.h"
#include "TextMatch.h"
#include "EmulatorProcess.h"
#include "HostileInput.h"
#include "TempDir.h"
#include "TestPlatform.h"

#include <Poco/File.h>

#include <algorithm>
#include <fstream>
#include <thread>

using namespace TokenBroker::Test;
using namespace std::chrono_literals;

namespace {

bool waitForFile(const std::string& path, std::chrono::milliseconds timeout, const std::string& content = "")
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (Poco::File(path).exists() && (content.empty() || readFile(path) == content))
            return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

/// A config directory with pat profiles whose tokens are literals.
struct Setup
{
    TempDir dir;
    std::string config = dir.file("tokenbroker.yaml");

    /// Outputs out/NAME.token and the env-file out/NAME.env. On Windows an
    /// env output is the registry environment (RegistryEnvTest), so there
    /// the same file is a file output in env format.
    std::string profile(const std::string& name, const std::string& token) const
    {
        const std::string envFile = onWindows() ? "      - file: out/" + name + ".env\n        format: env\n"
                                                : "      - env: COZE_API_TOKEN\n        path: out/" + name + ".env\n";
        return "  " + name + ":\n"
               "    flow: pat\n"
               "    token: " + token + "\n"
               "    outputs:\n"
               "      - file: out/" + name + ".token\n" +
               envFile;
    }

    void write(const std::string& profiles) const
    {
        writeFile(config, "broker:\n"
                          "  state_dir: state\n"
                          "  admin: off\n"
                          "profiles:\n" + profiles);
    }

    std::string out(const std::string& name) const { return dir.file("out/" + name); }
};

RunResult broker(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {})
{
    ChildProcess::Options options;
    options.args = args;
    options.setEnv = env;
    options.unsetEnv = {"TOKENBROKER_CONFIG", "COZE_API_TOKEN"};
    return run(TOKENBROKER_EXE, options);
}

} // namespace

BOOST_AUTO_TEST_SUITE(Commands)

BOOST_AUTO_TEST_CASE(check_accepts_a_good_file)
{
    Setup setup;
    setup.write(setup.profile("alpha", "pat_alpha"));
    RunResult check = broker({"check", "-c", setup.config});
    BOOST_TEST(check.status == 0, check.err);
    BOOST_TEST(check.out == "ok: 1 profiles\n");
    BOOST_TEST(!Poco::File(setup.out("alpha.token")).exists(), "check must not write outputs");
}

BOOST_AUTO_TEST_CASE(check_verbose_shows_what_each_plugin_reports_but_never_the_token)
{
    Setup setup;
    setup.write(setup.profile("alpha", "pat_alpha_never_shown") + setup.profile("beta", "{env: BETA_TOKEN}") +
                "    verify: true\n");
    for (const char* option : {"--verbose", "-v"})
    {
        RunResult check = broker({"check", option, "-c", setup.config}, {{"BETA_TOKEN", "pat_beta_never_shown"}});
        BOOST_TEST(check.status == 0, check.err);
        BOOST_TEST(check.out == "alpha (flow pat)\n"
                                "  expires_at: 0\n"
                                "  verify: false\n"
                                "beta (flow pat)\n"
                                "  expires_at: 0\n"
                                "  verify: true\n"
                                "ok: 2 profiles\n",
                   option);
        BOOST_TEST(!contains(check.out + check.err, "never_shown"), "a token was shown");
    }
}

BOOST_AUTO_TEST_CASE(check_reports_a_broken_file_with_its_position_and_exit_2)
{
    Setup setup;
    writeFile(setup.config, "broker:\n  state_dir: state\n  plugin_dir: [x]\nprofiles: {}\n");
    RunResult check = broker({"check", "-c", setup.config});
    BOOST_TEST(check.status == 2);
    BOOST_TEST(contains(check.err, setup.config + ":3:3: error: unknown key 'plugin_dir' in broker (did you mean 'plugin_dirs'?)"),
               check.err);
    BOOST_TEST(check.out.empty());
}

BOOST_AUTO_TEST_CASE(check_reports_core_and_flow_errors_in_one_pass)
{
    // A core key and the flow's own keys are checked by different code;
    // the operator still sees every mistake at once.
    Setup setup;
    writeFile(setup.config, "broker:\n"                 // 1
                            "  state_dir: state\n"      // 2
                            "profiles:\n"               // 3
                            "  alpha:\n"                // 4
                            "    flow: pat\n"           // 5
                            "    tokn: x\n"             // 6
                            "    outputs:\n"            // 7
                            "      - file: out/a\n"     // 8
                            "        format: xml\n"     // 9
                            "  beta:\n"                 // 10
                            "    flow: pat\n"           // 11
                            "    token: t\n"            // 12
                            "    verfy: true\n"         // 13
                            "    outputs: [{file: out/b}]\n");
    RunResult check = broker({"check", "-c", setup.config});
    BOOST_TEST(check.status == 2);
    for (const std::string& expected :
         {setup.config + ":9:17: error: format must be raw, json or env",
          setup.config + ":6:5: error: unknown key 'tokn' for flow 'pat' in profile 'alpha' (did you mean 'token'?)",
          setup.config + ":13:5: error: unknown key 'verfy' for flow 'pat' in profile 'beta' (did you mean 'verify'?)"})
        BOOST_TEST(contains(check.err, expected), expected << "\n" << check.err);
}

BOOST_AUTO_TEST_CASE(check_refuses_an_alias_bomb_at_its_position_with_exit_2)
{
    Setup setup;
    writeFile(setup.config, yamlAliasBomb());
    RunResult check = broker({"check", "-c", setup.config});
    BOOST_TEST(check.status == 2);
    BOOST_TEST(check.err == setup.config + ":" + aliasBombPosition("") + ": error: with its aliases expanded, the configuration grows past "
                                           "500000 values (an alias bomb?)\n");
}

BOOST_AUTO_TEST_CASE(check_refuses_an_on_rotate_program_that_is_missing_or_not_executable)
{
    // Once this was found at the first rotation, hours later, in the log.
    Setup setup;
    const std::string missing = setup.dir.file("no-such-hook");
    const std::string notExecutable = setup.dir.file("hook.sh");
    writeFile(notExecutable, "#!/bin/sh\n", 0644);
    writeFile(setup.config, "broker:\n"                                          // 1
                            "  state_dir: state\n"                               // 2
                            "profiles:\n"                                        // 3
                            "  alpha:\n"                                         // 4
                            "    flow: pat\n"                                    // 5
                            "    token: t\n"                                     // 6
                            "    on_rotate: ['" + missing + "', --now]\n"        // 7
                            "    outputs: [{file: out/a}]\n"                     // 8
                            "  beta:\n"                                          // 9
                            "    flow: pat\n"                                    // 10
                            "    token: t\n"                                     // 11
                            "    on_rotate: [no-such-program-anywhere]\n"       // 12
                            "    outputs: [{file: out/b}]\n"                     // 13
                            "  gamma:\n"                                         // 14
                            "    flow: pat\n"                                    // 15
                            "    token: t\n"                                     // 16
                            "    on_rotate: ['" + notExecutable + "']\n"         // 17
                            "    outputs: [{file: out/c}]\n");
    RunResult check = broker({"check", "-c", setup.config});
    BOOST_TEST(check.status == 2);
    BOOST_TEST(contains(check.err, setup.config + ":7:17: error: profile 'alpha': on_rotate: "), check.err);
    BOOST_TEST(contains(check.err, setup.config + ":12:17: error: profile 'beta': on_rotate: "
                                                  "'no-such-program-anywhere' is not "),
               check.err);
    if (!onWindows())
    {
        BOOST_TEST(contains(check.err, "on_rotate: " + missing + ": No such file or directory"), check.err);
        BOOST_TEST(contains(check.err, setup.config + ":17:17: error: profile 'gamma': on_rotate: " + notExecutable +
                                           " is not executable by this user"),
                   check.err);
    }
}

BOOST_AUTO_TEST_CASE(the_config_comes_from_the_environment_when_no_option_is_given)
{
    Setup setup;
    setup.write(setup.profile("alpha", "pat_alpha"));
    RunResult check = broker({"check"}, {{"TOKENBROKER_CONFIG", setup.config}});
    BOOST_TEST(check.status == 0, check.err);
    BOOST_TEST(check.out == "ok: 1 profiles\n");
}

BOOST_AUTO_TEST_CASE(once_writes_every_output_and_token_prints_the_token)
{
    Setup setup;
    setup.write(setup.profile("alpha", "pat_alpha") + setup.profile("beta", "{env: BETA_TOKEN}"));
    RunResult once = broker({"once", "-c", setup.config}, {{"BETA_TOKEN", "pat_beta"}});
    BOOST_TEST(once.status == 0, once.err);
    BOOST_TEST(readFile(setup.out("alpha.token")) == "pat_alpha\n");
    BOOST_TEST(readFile(setup.out("alpha.env")) == "COZE_API_TOKEN=pat_alpha\n");
    BOOST_TEST(readFile(setup.out("beta.token")) == "pat_beta\n");
    BOOST_TEST(!contains(once.out + once.err, "pat_alpha"), "tokens must not be printed by once");

    RunResult token = broker({"token", "beta", "-c", setup.config}, {{"BETA_TOKEN", "pat_beta"}});
    BOOST_TEST(token.status == 0, token.err);
    BOOST_TEST(token.out == "pat_beta\n");
}

BOOST_AUTO_TEST_CASE(once_exits_1_when_a_token_cannot_be_obtained)
{
    Setup setup;
    // A PAT past its expiry is a token that cannot be obtained.
    setup.write(setup.profile("alpha", "pat_alpha") + "    expires_at: \"2020-01-01T00:00:00Z\"\n");
    RunResult once = broker({"once", "-c", setup.config});
    BOOST_TEST(once.status == 1);
    BOOST_TEST(contains(once.err, "alpha: failed: the token expired at 2020-01-01T00:00:00Z"), once.err);
    BOOST_TEST(!Poco::File(setup.out("alpha.token")).exists());
}

BOOST_AUTO_TEST_CASE(pat_verify_asks_the_server_and_a_rejected_token_fails)
{
    EmulatorProcess emulator("pats: [pat_good]\n");
    Setup setup;
    auto profile = [&](const std::string& name, const std::string& token) {
        return setup.profile(name, token) + "    verify: true\n"
                                            "    base_url: " + emulator.baseUrl() + "\n"
                                            "    ca_file: " + emulator.caFile() + "\n";
    };
    setup.write(profile("good", "pat_good") + profile("bad", "pat_bad"));

    RunResult good = broker({"once", "good", "-c", setup.config});
    BOOST_TEST(good.status == 0, good.err);
    BOOST_TEST(readFile(setup.out("good.token")) == "pat_good\n");

    RunResult bad = broker({"once", "bad", "-c", setup.config});
    BOOST_TEST(bad.status == 1);
    BOOST_TEST(contains(bad.err, "bad: failed: token check failed: server answered code 4100"), bad.err);
    BOOST_TEST(!contains(bad.err, "pat_bad"), "the token must not appear in the error");
    BOOST_TEST(!Poco::File(setup.out("bad.token")).exists());

    // The check really went to the server, with the token as bearer.
    auto requests = emulator.requests();
    int checks = 0;
    for (std::size_t i = 0; i < requests->size(); ++i)
    {
        auto request = requests->getObject(static_cast<unsigned>(i));
        if (request->getValue<std::string>("path") == "/v1/users/me")
            ++checks;
    }
    BOOST_TEST(checks == 2);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2)
{
    Setup setup;
    setup.write(setup.profile("alpha", "pat_alpha"));
    RunResult unknownProfile = broker({"once", "alpah", "-c", setup.config});
    BOOST_TEST(unknownProfile.status == 2);
    BOOST_TEST(contains(unknownProfile.err, "unknown profile 'alpah' (did you mean 'alpha'?)"), unknownProfile.err);
    RunResult unknownCommand = broker({"chek", "-c", setup.config});
    BOOST_TEST(unknownCommand.status == 2);
    BOOST_TEST(contains(unknownCommand.err, "unknown command 'chek' (did you mean 'check'?)"));
    RunResult unknownOption = broker({"check", "--frobnicate"});
    BOOST_TEST(unknownOption.status == 2);
    RunResult missingFile = broker({"check", "-c", setup.dir.file("nope.yaml")});
    BOOST_TEST(missingFile.status == 2);
    BOOST_TEST(contains(missingFile.err, "nope.yaml: error: cannot open the configuration file"), missingFile.err);
}

BOOST_AUTO_TEST_CASE(the_example_configurations_pass_check)
{
    // jwt.yaml needs its key file and is checked by JwtFlowTest.
    for (const std::string name : {"pat", "device", "web", "pkce"})
    {
        const std::string path = std::string(TOKENBROKER_TEST_SOURCE_DIR) + "/config/examples/" + name + ".yaml";
        RunResult check = broker({"check", "-c", path}, {{"COZE_WEB_OAUTH_CLIENT_SECRET", "example-secret"}});
        // The examples are for Linux: on Windows their `mode:` lines are
        // refused at their position, and nothing else is wrong with them.
        const std::string text = readFile(path);
        const std::size_t mode = text.find("\n        mode: ");
        if (onWindows() && mode != std::string::npos)
        {
            const auto line = std::count(text.begin(), text.begin() + mode + 1, '\n') + 1;
            BOOST_TEST(check.status == 2, name);
            BOOST_TEST(contains(check.err, nativePath(path) + ":" + std::to_string(line) +
                                               ":15: error: 'mode' has no meaning on Windows"),
                       name + ": " + check.err);
            BOOST_TEST(std::count(check.err.begin(), check.err.end(), '\n') == 1, name + ": " + check.err);
            continue;
        }
        BOOST_TEST(check.status == 0, name + ": " + check.err);
        BOOST_TEST(check.out == "ok: 1 profiles\n", name);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Daemon)

BOOST_AUTO_TEST_CASE(run_writes_outputs_reloads_on_hup_and_stops_on_term)
{
    TOKENBROKER_SKIP_ON_WINDOWS("SIGHUP reload: Windows has no signals; its service reloads on PARAMCHANGE "
                                "(ServiceTest), reload by POST /v1/reload is ReloadTest, the orderly stop every "
                                "engine suite");
    Setup setup;
    setup.write(setup.profile("alpha", "pat_alpha"));
    ChildProcess daemon(TOKENBROKER_EXE, {{"run", "-c", setup.config}, {}, {"TOKENBROKER_CONFIG"}});
    BOOST_REQUIRE(waitForFile(setup.out("alpha.token"), 10s, "pat_alpha\n"));

    // A good file: a new profile appears, a changed token is published.
    setup.write(setup.profile("alpha", "pat_alpha2") + setup.profile("beta", "pat_beta"));
    daemon.reload();
    BOOST_TEST(waitForFile(setup.out("beta.token"), 10s, "pat_beta\n"));
    BOOST_TEST(waitForFile(setup.out("alpha.token"), 10s, "pat_alpha2\n"));
    BOOST_TEST(daemon.waitForOutput("reloaded: 2 profiles", 5s, true), daemon.err());

    // A broken file: reported with its position, the old configuration runs on.
    writeFile(setup.config, "profiles:\n  alpha:\n    flow: pat\n    tokn: x\n    outputs: [{file: out/x}]\n");
    daemon.reload();
    BOOST_TEST(daemon.waitForOutput("reload failed; still running the previous configuration", 10s, true), daemon.err());
    BOOST_TEST(contains(daemon.err(), setup.config + ":4:5: error: unknown key 'tokn' for flow 'pat'"), daemon.err());
    BOOST_TEST(daemon.running());
    BOOST_TEST(readFile(setup.out("beta.token")) == "pat_beta\n");

    daemon.requestStop();
    auto status = daemon.wait(5s);
    BOOST_REQUIRE(status);
    BOOST_TEST(*status == 0);
    BOOST_TEST(contains(daemon.err(), "stopped"));
}

BOOST_AUTO_TEST_CASE(sigint_stops_too)
{
    TOKENBROKER_SKIP_ON_WINDOWS("Ctrl-C/Ctrl-Break reach only processes that share a console, and the suites "
                                "run without one (ctest under wine)");
    Setup setup;
    setup.write(setup.profile("alpha", "pat_alpha"));
    ChildProcess daemon(TOKENBROKER_EXE, {{"run", "-c", setup.config}, {}, {"TOKENBROKER_CONFIG"}});
    BOOST_REQUIRE(waitForFile(setup.out("alpha.token"), 10s));
    daemon.interrupt();
    auto status = daemon.wait(5s);
    BOOST_REQUIRE(status);
    BOOST_TEST(*status == 0);
}

BOOST_AUTO_TEST_CASE(daemon_mode_resolves_relative_paths_and_keeps_a_pidfile)
{
    TOKENBROKER_SKIP_ON_WINDOWS("--daemon and --pidfile are the POSIX daemon's options; on Windows the daemon "
                                "runs as a service (issue 11)");
    Setup setup;
    setup.write(setup.profile("alpha", "pat_alpha"));
    // Relative -c and --pidfile: the daemon changes directory to / after
    // parsing, so both must be resolved against the caller's directory.
    ChildProcess::Options options;
    options.args = {"run", "--daemon", "-c", "tokenbroker.yaml", "--pidfile=broker.pid"};
    options.workingDirectory = setup.dir.path();
    options.unsetEnv = {"TOKENBROKER_CONFIG"};
    ChildProcess launcher(TOKENBROKER_EXE, options);
    auto launched = launcher.wait(10s);
    BOOST_REQUIRE(launched);
    BOOST_TEST(*launched == 0, launcher.err());
    BOOST_REQUIRE(waitForFile(setup.dir.file("broker.pid"), 10s));
    BOOST_REQUIRE(waitForFile(setup.out("alpha.token"), 10s, "pat_alpha\n"));

    ProcessId pid = 0;
    for (int i = 0; i < 100 && pid <= 0; ++i)
    {
        std::ifstream(setup.dir.file("broker.pid")) >> pid;
        std::this_thread::sleep_for(20ms);
    }
    BOOST_REQUIRE(pid > 0);
    BOOST_TEST(processExists(pid));
    requestStop(pid);
    bool gone = false;
    for (int i = 0; i < 250 && !gone; ++i)
    {
        gone = !processExists(pid);
        std::this_thread::sleep_for(20ms);
    }
    BOOST_TEST(gone);
    BOOST_TEST(waitForFile(setup.dir.file("broker.pid"), 100ms) == false, "the pidfile is removed on exit");
}

BOOST_AUTO_TEST_SUITE_END()
