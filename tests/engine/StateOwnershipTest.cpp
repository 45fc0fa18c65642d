#define BOOST_TEST_MODULE StateOwnershipTest
#include <boost/test/unit_test.hpp>

// Who may touch state_dir (issue 9 §2.8, §2.9), with real processes and
// real users: one daemon per state_dir; `tokenbroker token` run by another
// user than the state's owner reads, asks the daemon, or refuses — it never
// leaves files the daemon cannot read; and a state file the daemon cannot
// read is reported as exactly that.

#include "EngineTestSupport.h"
#include "PosixSystem.h"
#include "TestPlatform.h"

#include <Poco/File.h>

#include <algorithm>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {


/// Why the cases with a second user do not run on Windows.
constexpr const char* kPosixUsers = "POSIX users (setpriv as nobody, chown); Windows ACLs are tested in tests/windows";

/// tokenbroker ARGS as the unprivileged user nobody.
RunResult brokerAsNobody(const std::vector<std::string>& args, const std::vector<unsigned>& groups = {})
{
    return runAs(kNobody, kNogroup, groups, TOKENBROKER_EXE, args);
}

/// A directory owned by nobody (mode 0700 unless told otherwise).
void makeDirectoryOf(const std::string& path, unsigned uid, unsigned mode = 0700)
{
    BOOST_REQUIRE(Poco::File(path).createDirectory());
    setMode(path, mode);
    setOwner(path, uid, kNogroup);
}

/// Everything an operator could notice about a directory's files.
std::map<std::string, std::pair<FileState, unsigned>> snapshot(const std::string& dir)
{
    std::map<std::string, std::pair<FileState, unsigned>> files;
    for (const auto& name : listDirectory(dir))
        files[name] = {fileState(dir + "/" + name), ownerOf(dir + "/" + name).uid};
    return files;
}

/// A pat configuration that the user nobody can read and run: the config
/// directory is traversable, state_dir and out/ belong to nobody.
/// `outputLines` add keys to alpha's file output.
struct NobodysBroker
{
    BrokerConfig config;

    explicit NobodysBroker(const std::string& outputLines = "")
    {
        setMode(config.dir.path(), 0755);
        config.write({config.patProfile("alpha", "pat_alpha") + outputLines});
        makeDirectoryOf(config.stateDir(), kNobody);
        makeDirectoryOf(config.outDir(), kNobody, 0755);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(OneDaemon)

BOOST_AUTO_TEST_CASE(a_second_daemon_on_the_same_state_dir_refuses_to_start)
{
    BrokerConfig config;
    config.write({config.patProfile("alpha", "pat_alpha")});
    DaemonProcess first(config);
    BOOST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile("alpha")).exists; }, 30s));
    const std::string firstAdmin = first.adminUrl();

    RunResult second = broker({"run", "-c", config.path});
    BOOST_TEST(second.status == 1, second.err);
    BOOST_TEST(contains(second.err, "already running with state_dir " + config.stateDir()), second.err);
    BOOST_TEST(first.process().running());
    BOOST_TEST(readFile(config.stateDir() + "/admin.url") == firstAdmin + "\n", "the first daemon's endpoint stays");
    BOOST_TEST(first.admin("GET", "/healthz").status == 200);
    BOOST_TEST((first.terminate() == std::optional<int>(0)));

    // Once the first is gone the state_dir is free again.
    DaemonProcess third(config);
    BOOST_TEST(third.waitForLog("running with 1 profiles", 30s), third.log());
    BOOST_TEST((third.terminate() == std::optional<int>(0)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(TokenCommand)

BOOST_AUTO_TEST_CASE(token_by_another_user_reads_the_stored_token_and_changes_nothing)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixUsers);
    NobodysBroker nobody;
    const BrokerConfig& config = nobody.config;
    RunResult once = brokerAsNobody({"once", "-c", config.path});
    BOOST_REQUIRE_MESSAGE(once.status == 0, once.err);
    const auto before = snapshot(config.stateDir());
    BOOST_REQUIRE(before.count("alpha.json"));
    BOOST_TEST(before.at("alpha.json").second == kNobody);

    RunResult token = broker({"token", "alpha", "-c", config.path});
    BOOST_TEST(token.status == 0, token.err);
    BOOST_TEST(token.out == "pat_alpha\n");
    BOOST_TEST((snapshot(config.stateDir()) == before), "root's token command must not touch nobody's state");

    // The owner still uses its state as before.
    RunResult again = brokerAsNobody({"once", "-c", config.path});
    BOOST_TEST(again.status == 0, again.err);
}

BOOST_AUTO_TEST_CASE(token_by_another_user_with_nothing_stored_and_no_daemon_refuses_clearly)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixUsers);
    NobodysBroker nobody;
    const BrokerConfig& config = nobody.config;
    RunResult token = broker({"token", "alpha", "-c", config.path});
    BOOST_TEST(token.status == 1, token.err);
    BOOST_TEST(contains(token.err, "state_dir " + config.stateDir() + " is owned by user 'nobody'"), token.err);
    BOOST_TEST(contains(token.err, "sudo -u"), token.err);
    BOOST_TEST(token.out.empty());
    BOOST_TEST(listDirectory(config.stateDir()).empty(), "no lock or state file left behind");

    // once and login are refused the same way.
    RunResult once = broker({"once", "-c", config.path});
    BOOST_TEST(once.status == 1);
    BOOST_TEST(contains(once.err, "is owned by user 'nobody'"), once.err);
    BOOST_TEST(listDirectory(config.stateDir()).empty());
}

BOOST_AUTO_TEST_CASE(token_asks_the_running_daemon_when_the_stored_token_is_about_to_expire)
{
    auto emulator = startEmulator();
    BrokerConfig config;
    config.write({config.jwtProfile("svc", *emulator, "    duration: 120s\n")});
    DaemonProcess daemon(config);
    BOOST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile("svc")).exists; }, 30s));
    const std::string first = readFile(config.tokenFile("svc"));

    // Seen from 100 s later the stored token has 20 s left: too little to
    // hand out, so `token` asks the daemon rather than renew by itself.
    writeFile(config.dir.file("clock-offset"), "100\n");
    ChildProcess::Options options;
    options.args = {"token", "svc", "-c", config.path};
    options.setEnv = {{"TOKENBROKER_TEST_CLOCK_OFFSET_FILE", config.dir.file("clock-offset")}};
    RunResult token = run(TOKENBROKER_EXE, options);
    BOOST_TEST(token.status == 0, token.err);
    const std::string printed = token.out;
    BOOST_TEST(!printed.empty());
    BOOST_TEST(printed != first, "a renewed token, not the stored one");
    BOOST_TEST(waitUntil([&] { return readFile(config.tokenFile("svc")) == printed; }, 30s),
               "the daemon renewed and published what token printed");
    BOOST_TEST(daemon.waitForLog("svc: ok", 30s, 2), daemon.log());
    BOOST_TEST((daemon.terminate() == std::optional<int>(0)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(UnreadableState)

BOOST_AUTO_TEST_CASE(a_state_file_the_daemon_cannot_read_is_reported_as_exactly_that)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixUsers);
    NobodysBroker nobody;
    const BrokerConfig& config = nobody.config;
    const std::string stateFile = config.stateDir() + "/alpha.json";
    // What `tokenbroker token` run as root used to leave behind.
    writeFile(stateFile, "{\"identity\": \"pat||\", \"plugin\": {}}", 0600);
    BOOST_REQUIRE(ownerOf(stateFile).uid == 0);

    RunResult once = brokerAsNobody({"once", "alpha", "-c", config.path});
    BOOST_TEST(once.status == 1, once.err);
    BOOST_TEST(contains(once.err, "cannot read " + stateFile + ": Permission denied"), once.err);
    BOOST_TEST(!contains(once.err, "no refresh token"), once.err);
    BOOST_TEST(!fileState(config.tokenFile("alpha")).exists);

    RunResult token = brokerAsNobody({"token", "alpha", "-c", config.path});
    BOOST_TEST(token.status == 1);
    BOOST_TEST(contains(token.err, "cannot read " + stateFile + ": Permission denied"), token.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ConsumerAccess)

/// The `users` group every Debian system has; consumers are let in by it.
unsigned usersGroup()
{
    const auto gid = groupIdOf("users");
    BOOST_TEST_REQUIRE(gid.has_value(), "this system has no group 'users'");
    return *gid;
}

/// "FILE:LINE:COL" of the value on the line of `config` that holds `text`.
std::string valuePosition(const BrokerConfig& config, const std::string& key, const std::string& value)
{
    const std::string text = readFile(config.path);
    const std::string line = "        " + key + ": " + value + "\n";
    const std::size_t at = text.find(line);
    BOOST_TEST_REQUIRE(at != std::string::npos);
    const std::size_t number = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + at, '\n'));
    return config.path + ":" + std::to_string(number) + ":" + std::to_string(8 + key.size() + 2 + 1);
}

/// `check`, run as nobody on an output with `outputLines`, exits 2 with
/// `message` at the position of the output's `key: value`.
void expectCheckAsNobodyRefuses(const std::string& outputLines, const std::string& key, const std::string& value,
                                const std::string& message)
{
    NobodysBroker nobody(outputLines);
    RunResult check = brokerAsNobody({"check", "-c", nobody.config.path});
    BOOST_TEST(check.status == 2, check.out << check.err);
    BOOST_TEST(contains(check.err, valuePosition(nobody.config, key, value) + ": error: " + message), check.err);
}

BOOST_AUTO_TEST_CASE(a_consumer_in_the_outputs_group_reads_the_token_and_a_user_outside_cannot)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixUsers);
    const unsigned users = usersGroup();
    NobodysBroker nobody("        mode: \"0640\"\n        group: users\n");
    // The service user, in the consumers' group as SupplementaryGroups=
    // puts it (README, Operations).
    RunResult once = brokerAsNobody({"once", "-c", nobody.config.path}, {users});
    BOOST_TEST_REQUIRE(once.status == 0, once.out << once.err);
    const std::string token = nobody.config.tokenFile("alpha");
    BOOST_TEST(ownerOf(token).uid == kNobody);
    BOOST_TEST(ownerOf(token).gid == users);
    BOOST_TEST(modeOf(token) == 0640u);

    constexpr unsigned kConsumer = 40001, kOutsider = 40002;
    RunResult consumer = runAs(kConsumer, kConsumer, {users}, "/bin/cat", {token});
    BOOST_TEST(consumer.status == 0, consumer.err);
    BOOST_TEST(consumer.out == "pat_alpha\n");
    RunResult outsider = runAs(kOutsider, kOutsider, {}, "/bin/cat", {token});
    BOOST_TEST(outsider.status != 0);
    BOOST_TEST(contains(outsider.err, "Permission denied"), outsider.err);
    BOOST_TEST(outsider.out.empty());
}

BOOST_AUTO_TEST_CASE(check_as_the_service_user_refuses_a_group_it_is_not_in_at_its_position)
{
    // Once `check` said ok and every renewal failed with EPERM.
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixUsers);
    const std::string output = "        mode: \"0640\"\n        group: users\n";
    expectCheckAsNobodyRefuses(output, "group", "users",
                               "output group 'users': tokenbroker runs as 'nobody', which is not in group 'users' and "
                               "so cannot give it the file; add it (usermod -aG users nobody) and restart tokenbroker");
    // In the group, the same file is fine.
    NobodysBroker nobody(output);
    RunResult member = brokerAsNobody({"check", "-c", nobody.config.path}, {usersGroup()});
    BOOST_TEST(member.status == 0, member.err);
}

BOOST_AUTO_TEST_CASE(check_as_the_service_user_refuses_another_owner_at_its_position)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixUsers);
    expectCheckAsNobodyRefuses("        owner: root\n", "owner", "root",
                               "output owner 'root': tokenbroker runs as 'nobody', and only root may give a file to "
                               "another user");
}

BOOST_AUTO_TEST_SUITE_END()
