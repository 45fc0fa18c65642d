// Two broker processes sharing one state_dir refresh the same profile at the
// same time: the per-profile file lock must make them take turns, so that
// no refresh token is ever presented twice (the second use would be
// invalid_grant and cost the user a new login).

#include <boost/test/unit_test.hpp>

#include "OAuthWorld.h"
#include "RecordedRequests.h"
#include "TestPlatform.h"

#include <map>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth;
using namespace std::chrono_literals;

namespace {

/// `rounds` times two concurrent `once` of one profile; the first process of
/// each pair writes to a slow disk when `slowDisk` is set. Checks that every
/// run succeeds and every refresh token is presented at most once.
void raceRefreshes(int rounds, bool slowDisk)
{
    OAuthWorld world;
    world.writeConfig(world.pkceProfile("app"));
    world.login("app");

    ChildProcess::Options slow = world.brokerOptions({"once", "app"});
    if (slowDisk)
    {
        slow.setEnv["LD_PRELOAD"] = TOKENBROKER_SLOW_DISK_LIB;
        slow.setEnv["TOKENBROKER_TEST_FSYNC_DELAY_MS"] = "100";
        slow.setEnv["ASAN_OPTIONS"] = "verify_asan_link_order=0";
    }
    int failures = 0;
    for (int round = 0; round < rounds; ++round)
    {
        auto first = std::make_unique<ChildProcess>(TOKENBROKER_EXE, slow);
        auto second = world.startBroker({"once", "app"});
        for (ChildProcess* process : {first.get(), second.get()})
        {
            auto status = process->wait(30s);
            BOOST_TEST_REQUIRE(status.has_value());
            if (*status != 0)
            {
                ++failures;
                BOOST_TEST_MESSAGE("round " << round << ": " << process->err());
            }
            BOOST_TEST(process->err().find("invalid_grant") == std::string::npos, process->err());
            BOOST_TEST(process->err().find("login") == std::string::npos, process->err());
        }
    }
    BOOST_TEST(failures == 0);

    // Every refresh token was presented at most once.
    std::vector<std::string> presented = presentedRefreshTokens(world.emulator());
    BOOST_TEST(presented.size() == static_cast<std::size_t>(2 * rounds));
    std::map<std::string, int> uses;
    for (const auto& token : presented)
        ++uses[token];
    for (const auto& [token, count] : uses)
        BOOST_TEST(count == 1, "refresh token presented " << count << " times");

    // What is stored at the end is the newest token, and the server takes it.
    const std::string last = world.storedRefreshToken("app");
    BOOST_TEST(uses.count(last) == 0u, "the stored refresh token must be the newest, unused one");
    RunResult once = world.broker({"once", "app"});
    BOOST_TEST(once.status == 0, once.err);
    BOOST_TEST(world.serverAccepts(world.publishedToken("app")));
}

} // namespace

BOOST_AUTO_TEST_SUITE(concurrent_refresh)

BOOST_AUTO_TEST_CASE(two_processes_never_present_the_same_refresh_token)
{
    raceRefreshes(20, false);
}

// One process's writes take 100 ms longer: its state-file updates after the
// refresh (the published access token) must not overwrite the refresh token
// the other process stored meanwhile.
BOOST_AUTO_TEST_CASE(a_slow_disk_does_not_let_one_process_undo_the_others_rotation)
{
    TOKENBROKER_SKIP_ON_WINDOWS("the slow disk is an LD_PRELOAD library (Linux only)");
    raceRefreshes(10, true);
}

BOOST_AUTO_TEST_SUITE_END()
