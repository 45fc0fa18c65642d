#define BOOST_TEST_MODULE IsolationShutdownTest
#include <boost/test/unit_test.hpp>

// One profile whose server hangs must not hold up the others (bounded worker
// pool, default broker.workers 8). SIGTERM stops the daemon in order with
// exit status 0 (issue 9 §2.7): a renewal in flight may finish within
// broker.stop_timeout, so a token it is fetching is stored; one that
// outlasts it has its request cancelled. No temporary files are left next
// to the outputs either way.

#include "EngineTestSupport.h"

#include <algorithm>
#include <set>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

/// Output directory entries that are not a finished output.
std::vector<std::string> leftovers(const std::string& outDir, const std::vector<std::string>& expected)
{
    std::vector<std::string> extra;
    if (!fileState(outDir).exists)
        return extra;
    for (const auto& name : listDirectory(outDir))
    {
        if (std::find(expected.begin(), expected.end(), name) == expected.end())
            extra.push_back(name);
    }
    return extra;
}

std::string joined(const std::vector<std::string>& names)
{
    std::string text;
    for (const auto& name : names)
        text += name + " ";
    return text;
}

} // namespace

BOOST_AUTO_TEST_CASE(fifty_profiles_where_one_server_hangs_the_other_49_get_their_tokens_promptly)
{
    auto emulator = startEmulator();
    // Only the slow profile uses this account path, so only it hangs; it
    // sorts first, so it takes a worker before anyone else starts.
    const std::string slowPath = accountTokenPath("acct-slow");
    Fault hang;
    hang.path = slowPath;
    hang.delayMs = 30000;
    hang.count = 10;
    addFault(*emulator, hang);

    BrokerConfig config;
    std::vector<std::string> profiles = {config.jwtProfile("a-slow", *emulator, "    account_id: acct-slow\n")};
    std::vector<std::string> names, expectedFiles;
    for (int i = 1; i <= 49; ++i)
    {
        const std::string name = "p" + std::string(i < 10 ? "0" : "") + std::to_string(i);
        names.push_back(name);
        expectedFiles.push_back(name + ".json");
        expectedFiles.push_back(name + ".token");
        profiles.push_back(config.jwtProfile(name, *emulator));
    }
    config.write(profiles, "  stop_timeout: 2s\n");  // broker.workers left at its default
    DaemonProcess daemon(config);

    const bool all = waitUntil(
        [&] {
            for (const auto& name : names)
            {
                if (!fileState(config.tokenFile(name)).exists)
                    return false;
            }
            return true;
        },
        15s);
    BOOST_TEST_REQUIRE(all, daemon.log());
    // The slow one is still hanging, not failed and retried in between.
    BOOST_TEST(requestTimes(*emulator, slowPath).size() == 1u);
    BOOST_TEST(!fileState(config.tokenFile("a-slow")).exists);
    BOOST_TEST(!contains(daemon.log(), "a-slow: ok"));
    BOOST_TEST(countOf(daemon.log(), ": ok, token valid until ") == 49u, daemon.log());
    std::set<std::string> tokens;
    for (const auto& name : names)
    {
        const std::string token = readFile(config.tokenFile(name));
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST(token.rfind("czs_", 0) == 0, token);
        }
        tokens.insert(token);
    }
    BOOST_TEST(tokens.size() == names.size(), "each profile has a token of its own");
    const std::string profilesJson = daemon.admin("GET", "/v1/profiles").body;
    BOOST_TEST(countOf(profilesJson, "\"status\":\"ready\"") == 49u);
    BOOST_TEST(daemon.admin("GET", "/readyz").status == 503, "one profile has no token yet");

    // SIGTERM with the slow renewal still in the network: after
    // stop_timeout its request is cancelled, long before its answer.
    auto status = daemon.terminate(120s);
    BOOST_TEST_REQUIRE(status.has_value(), "the daemon did not exit after SIGTERM\n" << daemon.log());
    BOOST_TEST(*status == 0, daemon.log());
    BOOST_TEST(contains(daemon.log(), "1 renewals still running after stop_timeout (2s); cancelling their requests"),
               daemon.log());
    BOOST_TEST(contains(daemon.log(), "stopped"));
    BOOST_TEST(leftovers(config.outDir(), expectedFiles).empty(), joined(leftovers(config.outDir(), expectedFiles)));
    emulator->process().kill();  // still sleeping on the hung request
}

BOOST_AUTO_TEST_CASE(sigterm_during_a_hanging_renewal_cancels_it_after_stop_timeout_and_exits_0)
{
    auto emulator = startEmulator();
    Fault hang;
    hang.delayMs = 600000;
    addFault(*emulator, hang);
    BrokerConfig config;
    // The request's own deadline is far away: only the stop can end it.
    config.write({config.jwtProfile("svc", *emulator, "    request_timeout: 300s\n")}, "  stop_timeout: 1s\n");
    DaemonProcess daemon(config);
    BOOST_TEST_REQUIRE(waitUntil([&] { return requestTimes(*emulator, kTokenPath).size() == 1; }, 10s), daemon.log());

    auto status = daemon.terminate(120s);
    BOOST_TEST_REQUIRE(status.has_value(), "the daemon did not exit after SIGTERM\n" << daemon.log());
    BOOST_TEST(*status == 0, daemon.log());
    const std::string log = daemon.log();
    BOOST_TEST(contains(log, "stopping"));
    BOOST_TEST(contains(log, "1 renewals still running after stop_timeout (1s); cancelling their requests"), log);
    BOOST_TEST(contains(log, "stopped"));
    BOOST_TEST(!contains(log, "did not end"), log);
    // Nothing was obtained, so nothing was written — not even a temp file.
    BOOST_TEST(leftovers(config.outDir(), {}).empty(), joined(leftovers(config.outDir(), {})));
    BOOST_TEST(requestTimes(*emulator, kTokenPath).size() == 1u, "no new renewal after SIGTERM");
    emulator->process().kill();
}

BOOST_AUTO_TEST_CASE(a_renewal_in_flight_at_sigterm_finishes_and_its_token_is_stored)
{
    auto emulator = startEmulator();
    Fault slow;
    slow.delayMs = 3000;   // a real answer, late
    addFault(*emulator, slow);
    BrokerConfig config;
    config.write({config.jwtProfile("svc", *emulator)});
    DaemonProcess daemon(config);
    BOOST_TEST_REQUIRE(waitUntil([&] { return requestTimes(*emulator, kTokenPath).size() == 1; }, 10s), daemon.log());

    auto status = daemon.terminate(120s);
    BOOST_TEST_REQUIRE(status.has_value(), "the daemon did not exit after SIGTERM\n" << daemon.log());
    BOOST_TEST(*status == 0, daemon.log());
    const std::string log = daemon.log();
    BOOST_TEST(!contains(log, "cancelling"), log);
    BOOST_TEST(log.find("svc: ok") < log.find("stopped"), log);
    BOOST_TEST(readFile(config.tokenFile("svc")).rfind("czs_", 0) == 0u, "the token it was fetching is published");
    BOOST_TEST(contains(readFile(config.stateDir() + "/svc.json"), "czs_"), "and stored");
    BOOST_TEST(requestTimes(*emulator, kTokenPath).size() == 1u, "no new renewal after SIGTERM");
}

BOOST_AUTO_TEST_CASE(sigterm_while_idle_exits_0_promptly_and_leaves_the_outputs)
{
    JwtDaemon world;
    const FileState token = fileState(world.tokenFile());
    const FileState json = fileState(world.jsonFile());

    auto status = world.daemon->terminate(60s);
    BOOST_TEST_REQUIRE(status.has_value(), "the daemon did not exit after SIGTERM\n" << world.daemon->log());
    BOOST_TEST(*status == 0, world.daemon->log());
    BOOST_TEST(contains(world.daemon->log(), "stopped"));
    BOOST_TEST(!contains(world.daemon->log(), "cancelling"), world.daemon->log());
    // A valid token stays for the programs that read it.
    BOOST_TEST((fileState(world.tokenFile()) == token));
    BOOST_TEST((fileState(world.jsonFile()) == json));
    BOOST_TEST(leftovers(world.config.outDir(), {"svc.json", "svc.token"}).empty(),
               joined(leftovers(world.config.outDir(), {"svc.json", "svc.token"})));
}
