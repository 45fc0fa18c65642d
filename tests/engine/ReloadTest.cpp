#define BOOST_TEST_MODULE ReloadTest
#include <boost/test/unit_test.hpp>

// Hot reload as a difference, by SIGHUP and by POST /v1/reload: added
// profiles start, removed ones stop (outputs left or removed per on_remove),
// changed ones restart, unchanged ones are not touched at all — same token
// file (content, mtime, inode), same schedule, no request to the server. A
// broken file changes nothing and is reported with file:line:col.

#include "EngineTestSupport.h"
#include "HostileInput.h"
#include "TestPlatform.h"

#include <sstream>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

/// Why the SIGHUP cases do not run on Windows.
constexpr const char* kNoReloadSignal =
    "SIGHUP reload: Windows has no signals; its service reloads on PARAMCHANGE (ServiceTest), "
    "POST /v1/reload runs in post_v1_reload_applies_a_good_file_as_a_difference";

/// The configuration's profiles by name, so each step states the whole file.
struct Profiles
{
    const BrokerConfig& config;
    const EmulatorProcess& emulator;

    std::string keep(const std::string& extra = "") const { return config.jwtProfile("keep", emulator, extra); }
    std::string pat(const std::string& name, const std::string& extra = "") const
    {
        return config.patProfile(name, "pat_" + name + "_token", extra);
    }
};

/// "FILE:LINE:COL" of the first line containing `needle`, the column being
/// where the line's text starts.
std::string positionOf(const std::string& path, const std::string& needle)
{
    std::istringstream in(readFile(path));
    std::string line;
    for (int number = 1; std::getline(in, line); ++number)
    {
        if (contains(line, needle))
            return path + ":" + std::to_string(number) + ":" + std::to_string(line.find_first_not_of(' ') + 1);
    }
    throw std::runtime_error(needle + " is not in " + path);
}

/// A daemon running the one profile `keep`, its first token written and
/// logged.
struct KeepRunning
{
    std::unique_ptr<EmulatorProcess> emulator = startEmulator();
    BrokerConfig config;
    Profiles p{config, *emulator};
    DaemonProcess daemon{(config.write({p.keep()}), config)};  // started on the written file

    KeepRunning()
    {
        BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile("keep")).exists; }, 15s), daemon.log());
        BOOST_TEST_REQUIRE(daemon.waitForLog("keep: ok, token valid until ", 10s), daemon.log());
    }
};

/// Everything an operator would compare before and after a reload.
struct Snapshot
{
    std::map<std::string, FileState> files;
    std::int64_t keepNextRefresh = 0;
    std::size_t tokenRequests = 0;

    Snapshot(const BrokerConfig& config, DaemonProcess& daemon, const EmulatorProcess& emulator,
             const std::vector<std::string>& names)
    {
        for (const auto& name : names)
            files[name] = fileState(config.tokenFile(name));
        files["keep.json"] = fileState(config.jsonFile("keep"));
        keepNextRefresh = profileView(daemon, "keep")->getValue<Poco::Int64>("next_refresh");
        tokenRequests = requestTimes(emulator, kTokenPath).size();
    }
};

void expectKeepUntouched(const Snapshot& before, const BrokerConfig& config, DaemonProcess& daemon,
                         const EmulatorProcess& emulator)
{
    BOOST_TEST((fileState(config.tokenFile("keep")) == before.files.at("keep")),
               "the unchanged profile's token file was rewritten");
    BOOST_TEST((fileState(config.jsonFile("keep")) == before.files.at("keep.json")));
    BOOST_TEST(profileView(daemon, "keep")->getValue<Poco::Int64>("next_refresh") == before.keepNextRefresh,
               "the unchanged profile's schedule moved");
    BOOST_TEST(requestTimes(emulator, kTokenPath).size() == before.tokenRequests,
               "the unchanged profile asked the server for a token");
    BOOST_TEST(profileStatus(daemon, "keep") == "ready");
}

} // namespace

BOOST_AUTO_TEST_CASE(sighup_adds_removes_and_restarts_profiles_and_leaves_unchanged_ones_alone)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kNoReloadSignal);
    auto emulator = startEmulator();
    BrokerConfig config;
    Profiles p{config, *emulator};
    config.write({p.keep(), p.pat("leaver"), p.pat("remover", "    on_remove: remove\n"), p.pat("changer")});
    DaemonProcess daemon(config);
    for (const char* name : {"keep", "leaver", "remover", "changer"})
        BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile(name)).exists; }, 15s), daemon.log());
    // Scheduled, not merely written: the schedule is part of what must stay.
    BOOST_TEST_REQUIRE(daemon.waitForLog("keep: ok, token valid until ", 10s), daemon.log());
    const Snapshot before(config, daemon, *emulator, {"keep", "leaver", "remover", "changer"});

    config.write({p.keep(), p.pat("changer", "    expires_at: \"2031-01-01T00:00:00Z\"\n"), p.pat("newbie")});
    daemon.process().reload();
    BOOST_TEST_REQUIRE(daemon.waitForLog("reloaded: 3 profiles", 10s), daemon.log());

    // Added: started and published.
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile("newbie")).exists; }, 10s), daemon.log());
    BOOST_TEST(readFile(config.tokenFile("newbie")) == "pat_newbie_token\n");
    // Changed: restarted, so published again under its new settings.
    BOOST_TEST(contains(daemon.log(), "changer: changed; restarting it"), daemon.log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile("changer")) != before.files.at("changer"); }, 10s));
    BOOST_TEST(profileView(daemon, "changer")->getValue<Poco::Int64>("expires_at") == 1924992000);  // 2031-01-01
    // Removed, on_remove left at its default (leave): the file stays as it was.
    BOOST_TEST(contains(daemon.log(), "leaver: removed from the configuration; its outputs stay"), daemon.log());
    BOOST_TEST((fileState(config.tokenFile("leaver")) == before.files.at("leaver")));
    // Removed with on_remove: remove: its output is withdrawn.
    BOOST_TEST(contains(daemon.log(), "remover: removed from the configuration; withdrawing its outputs"), daemon.log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return !fileState(config.tokenFile("remover")).exists; }, 5s));
    // Unchanged: not touched at all.
    BOOST_TEST(!contains(daemon.log(), "keep: changed"));
    BOOST_TEST(!contains(daemon.log(), "keep: removed"));
    BOOST_TEST(!contains(daemon.log(), "keep: reusing the stored token"));
    expectKeepUntouched(before, config, daemon, *emulator);
    BOOST_TEST((profileNames(daemon) == std::vector<std::string>{"changer", "keep", "newbie"}));
    BOOST_TEST(daemon.process().running());
}

BOOST_AUTO_TEST_CASE(a_broken_file_changes_nothing_and_is_reported_with_its_position)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kNoReloadSignal);
    auto emulator = startEmulator();
    BrokerConfig config;
    Profiles p{config, *emulator};
    config.write({p.keep(), p.pat("other")});
    DaemonProcess daemon(config);
    for (const char* name : {"keep", "other"})
        BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile(name)).exists; }, 15s), daemon.log());
    BOOST_TEST_REQUIRE(daemon.waitForLog("keep: ok, token valid until ", 10s), daemon.log());
    const Snapshot before(config, daemon, *emulator, {"keep", "other"});

    // By SIGHUP: an unknown key, and the profile that would be added with it.
    config.write({p.keep(), p.pat("other"), p.pat("added", "    verfy: true\n")});
    const std::string position = positionOf(config.path, "verfy:");
    daemon.process().reload();
    BOOST_TEST_REQUIRE(daemon.waitForLog("reload failed; still running the previous configuration", 10s), daemon.log());
    BOOST_TEST(contains(daemon.log(), position + ": error: unknown key 'verfy'"), position << "\n" << daemon.log());
    BOOST_TEST(!fileState(config.tokenFile("added")).exists);
    BOOST_TEST((profileNames(daemon) == std::vector<std::string>{"keep", "other"}));
    BOOST_TEST((fileState(config.tokenFile("other")) == before.files.at("other")));
    expectKeepUntouched(before, config, daemon, *emulator);

    // By the admin endpoint: a YAML syntax error, answered 422 with the position.
    writeFile(config.path, readFile(config.path) + "  broken: [unclosed\n");
    HttpResult answer = daemon.adminPost("/v1/reload");
    BOOST_TEST(answer.status == 422, answer.body);
    BOOST_TEST(contains(answer.body, config.path + ":"), answer.body);
    BOOST_TEST(contains(answer.body, ": error: "), answer.body);
    BOOST_TEST(countOf(daemon.log(), "reload failed; still running the previous configuration") == 2u, daemon.log());
    BOOST_TEST((profileNames(daemon) == std::vector<std::string>{"keep", "other"}));
    expectKeepUntouched(before, config, daemon, *emulator);
    BOOST_TEST(daemon.process().running());
}

BOOST_FIXTURE_TEST_CASE(a_file_built_to_exhaust_memory_changes_nothing, KeepRunning)
{
    // A 900-byte alias bomb and a 17 MiB file: each is refused at its
    // position and the daemon runs on with what it had.
    const Snapshot before(config, daemon, *emulator, {"keep"});
    const std::string original = readFile(config.path);

    writeFile(config.path, original + yamlAliasBomb());
    if (onWindows())
    {
        HttpResult answer = daemon.adminPost("/v1/reload");
        BOOST_TEST(answer.status == 422, answer.body);
    }
    else
        daemon.process().reload();  // SIGHUP, as the issue found it
    BOOST_TEST_REQUIRE(daemon.waitForLog("reload failed; still running the previous configuration", 10s), daemon.log());
    BOOST_TEST(contains(daemon.log(), config.path + ":" + aliasBombPosition(original) +
                                          ": error: with its aliases expanded, the configuration grows past 500000 values"),
               daemon.log());

    std::string huge = original;
    while (huge.size() <= 17 * 1024 * 1024)
        huge += "# " + std::string(1000, 'x') + "\n";
    writeFile(config.path, huge);
    HttpResult answer = daemon.adminPost("/v1/reload");
    BOOST_TEST(answer.status == 422, answer.body);
    BOOST_TEST(contains(answer.body, config.path + ":1:1: error: the file is larger than 16 MiB"), answer.body);

    BOOST_TEST(daemon.process().running());
    BOOST_TEST((profileNames(daemon) == std::vector<std::string>{"keep"}));
    expectKeepUntouched(before, config, daemon, *emulator);
}

BOOST_AUTO_TEST_CASE(post_v1_reload_applies_a_good_file_as_a_difference)
{
    auto emulator = startEmulator();
    BrokerConfig config;
    Profiles p{config, *emulator};
    config.write({p.keep(), p.pat("gone", "    on_remove: remove\n")});
    DaemonProcess daemon(config);
    for (const char* name : {"keep", "gone"})
        BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile(name)).exists; }, 15s), daemon.log());
    BOOST_TEST_REQUIRE(daemon.waitForLog("keep: ok, token valid until ", 10s), daemon.log());
    const Snapshot before(config, daemon, *emulator, {"keep", "gone"});

    // Without the admin token an endpoint anyone on the machine can reach
    // must not be a way to make the daemon act.
    BOOST_TEST(daemon.admin("POST", "/v1/reload").status == 401);
    BOOST_TEST(!contains(daemon.log(), "reloading"));

    config.write({p.keep(), p.pat("fresh")});
    HttpResult answer = daemon.adminPost("/v1/reload");
    BOOST_TEST(answer.status == 200, answer.body);
    BOOST_TEST(contains(daemon.log(), "reloaded: 2 profiles"), daemon.log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile("fresh")).exists; }, 10s), daemon.log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return !fileState(config.tokenFile("gone")).exists; }, 5s), daemon.log());
    expectKeepUntouched(before, config, daemon, *emulator);

    // Changing the jwt profile itself restarts it: it asks for a new token.
    config.write({p.keep("    duration: 1200s\n"), p.pat("fresh")});
    answer = daemon.adminPost("/v1/reload");
    BOOST_TEST(answer.status == 200, answer.body);
    BOOST_TEST(contains(daemon.log(), "keep: changed; restarting it"), daemon.log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile("keep")).content != before.files.at("keep").content; }, 10s),
                       daemon.log());
    BOOST_TEST(requestTimes(*emulator, kTokenPath).size() == before.tokenRequests + 1);
    const std::string token = readFile(config.tokenFile("keep"));
    BOOST_TEST(token.rfind("czs_", 0) == 0, token);
}

BOOST_FIXTURE_TEST_CASE(the_reload_command_asks_the_running_daemon_and_reports_what_it_refused, KeepRunning)
{
    // `tokenbroker reload`: the reload an operator runs on any platform
    // (Windows services have no SIGHUP), through the admin endpoint.
    const auto reload = [&] {
        ChildProcess::Options options;
        options.args = {"reload", "-c", config.path};
        return run(TOKENBROKER_EXE, options);
    };

    config.write({p.keep(), p.pat("fresh")});
    RunResult applied = reload();
    BOOST_TEST(applied.status == 0, applied.err);
    BOOST_TEST(applied.out == "reloaded\n");
    BOOST_TEST(contains(daemon.log(), "reloaded: 2 profiles"), daemon.log());
    BOOST_TEST(waitUntil([&] { return fileState(config.tokenFile("fresh")).exists; }, 10s), daemon.log());

    // A key the schema does not know: the command names it at its position
    // and the daemon keeps what it runs.
    config.write({p.keep(), p.pat("fresh"), p.pat("added", "    verfy: true\n")});
    const std::string position = positionOf(config.path, "verfy:");
    RunResult refused = reload();
    BOOST_TEST(refused.status == 2);
    BOOST_TEST(contains(refused.err, position + ": error: unknown key 'verfy'"), refused.err);
    BOOST_TEST((profileNames(daemon) == std::vector<std::string>{"fresh", "keep"}));

    // Settings only the plugin checks: the daemon refuses them (422) and the
    // command shows its answer.
    config.write({p.keep(), p.pat("fresh"), p.pat("added", "    expires_at: not-a-time\n")});
    RunResult rejected = reload();
    BOOST_TEST(rejected.status == 2, rejected.out + rejected.err);
    BOOST_TEST(contains(rejected.err, "the daemon kept its previous configuration"), rejected.err);
    BOOST_TEST(contains(rejected.err, config.path + ":"), rejected.err);
    BOOST_TEST(!fileState(config.tokenFile("added")).exists);

    config.write({p.keep(), p.pat("fresh")});
    daemon.process().requestStop();
    BOOST_TEST_REQUIRE(daemon.process().wait(30s).has_value());
    RunResult nobody = reload();
    BOOST_TEST(nobody.status == 1);
    BOOST_TEST(contains(nobody.err, "tokenbroker reload: no daemon answered"), nobody.err);
}
