// The crash test of issue 5: `tokenbroker once` killed with SIGKILL at random
// moments of a refresh, 100 times, against the emulator; after every kill a
// fresh `once` must still find a refresh token the server accepts.
//
// With a server that rotates strictly (the presented token dies the moment
// the new one is issued) there is a window no client can close: the server
// has rotated, but the process dies before the answer is on disk. The test
// therefore measures and reports that window's losses, and asserts what the
// broker controls:
//   - the state file is never partial: always a JSON object with the
//     profile's identity and a refresh token; no temporary files are left;
//   - a kill before the server saw the refresh never loses the token;
//   - a token the broker did store is always one the server accepts.
// With a reuse grace on the server (an assumption many OAuth servers meet),
// the window closes and no kill may lose the token at all.

#define BOOST_TEST_MODULE RefreshCrashTest
#include <boost/test/unit_test.hpp>

#include "OAuthWorld.h"
#include "RecordedRequests.h"

#include <Poco/DirectoryIterator.h>

#include <algorithm>
#include <csignal>
#include <random>
#include <thread>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth;
using namespace std::chrono_literals;

namespace {

constexpr int kKills = 100;

/// Where each kill landed, as far as the emulator and the state file tell.
struct CrashCounts
{
    int finishedBeforeKill = 0;     ///< the process completed first
    int beforeServer = 0;           ///< no refresh reached the server
    int persisted = 0;              ///< server rotated, new token on disk
    int rotatedNotPersisted = 0;    ///< server rotated, old token on disk
    int lostBeforeServer = 0;       ///< must stay 0
    int lostAfterPersist = 0;       ///< must stay 0
    int lostInWindow = 0;           ///< the unavoidable kind, strict servers only
    int cutWrites = 0;              ///< kills that left a temporary file
};

std::int64_t millisecondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

/// What `once` takes from start to exit here, so kills spread over all of it.
std::int64_t typicalOnceMs(OAuthWorld& world)
{
    std::vector<std::int64_t> samples;
    for (int i = 0; i < 5; ++i)
    {
        const auto start = std::chrono::steady_clock::now();
        RunResult once = world.broker({"once", "app"});
        BOOST_REQUIRE_MESSAGE(once.status == 0, once.err);
        samples.push_back(millisecondsSince(start));
    }
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

/// Temporary files in the state directory (a write cut short).
std::vector<std::string> leftovers(OAuthWorld& world)
{
    std::vector<std::string> names;
    for (Poco::DirectoryIterator it(world.stateDir()), end; it != end; ++it)
        if (it.name() != "app.json" && it.name() != "app.lock")
            names.push_back(it.name());
    return names;
}

/// The state file after any kill: complete, with a refresh token.
void expectIntactState(OAuthWorld& world, const std::string& identity, int kill)
{
    Poco::JSON::Object::Ptr state;
    try
    {
        state = world.state("app");
    }
    catch (const std::exception& e)
    {
        BOOST_ERROR("kill " << kill << ": the state file is not a JSON object: " << e.what());
        return;
    }
    BOOST_TEST(state->optValue<std::string>("identity", "") == identity, "kill " << kill);
    BOOST_TEST(!world.storedRefreshToken("app").empty(), "kill " << kill << ": no refresh token stored");
}

/// Does the stored refresh token still work? A complete `once` tells (and
/// rotates it). When it does not, the user logs in again so the test can go
/// on. Afterwards no temporary file may be left: a kill mid-write leaves
/// one, and the next write must clear it.
bool storedTokenWorks(OAuthWorld& world, int kill)
{
    RunResult check = world.broker({"once", "app"});
    const bool works = check.status == 0;
    if (!works)
    {
        BOOST_TEST(check.err.find("the refresh token is no longer valid") != std::string::npos, check.err);
        world.login("app");
    }
    for (const auto& name : leftovers(world))
        BOOST_ERROR("kill " << kill << ": left behind after the next run: " << name);
    return works;
}

CrashCounts crashLoop(OAuthWorld& world)
{
    world.writeConfig(world.pkceProfile("app"));
    world.login("app");
    const std::string identity = world.state("app")->getValue<std::string>("identity");
    const std::int64_t onceMs = typicalOnceMs(world);

    const unsigned seed = std::random_device{}();
    std::mt19937 random(seed);
    // Up to a little past a whole run: early kills hit start-up, late ones
    // the refresh and the writes.
    std::uniform_int_distribution<std::int64_t> delayMs(0, onceMs + onceMs / 5);
    BOOST_TEST_MESSAGE("once takes ~" << onceMs << " ms; kill delays 0.." << onceMs + onceMs / 5 << " ms; seed "
                                      << seed);

    CrashCounts counts;
    for (int kill = 0; kill < kKills; ++kill)
    {
        const std::string before = world.storedRefreshToken("app");
        const std::size_t presentedBefore = presentedRefreshTokens(world.emulator()).size();

        auto victim = world.startBroker({"once", "app"});
        std::this_thread::sleep_for(std::chrono::milliseconds(delayMs(random)));
        victim->signal(SIGKILL);
        auto status = victim->wait(10s);
        BOOST_TEST_REQUIRE(status.has_value());
        if (*status == 0)
            ++counts.finishedBeforeKill;
        else
            BOOST_TEST(*status == 128 + SIGKILL, "kill " << kill << ": " << victim->err());

        expectIntactState(world, identity, kill);
        counts.cutWrites += !leftovers(world).empty();
        const std::string after = world.storedRefreshToken("app");
        const std::vector<std::string> presented = presentedRefreshTokens(world.emulator());
        const bool serverRotated = presented.size() > presentedBefore;
        BOOST_TEST(presented.size() <= presentedBefore + 1, "kill " << kill << ": more than one refresh");
        if (serverRotated)
            BOOST_TEST(presented.back() == before, "kill " << kill << ": did not present the stored token");
        if (!serverRotated)
        {
            BOOST_TEST(after == before, "kill " << kill << ": the token changed without a refresh");
            ++counts.beforeServer;
        }
        else if (after != before)
            ++counts.persisted;
        else
            ++counts.rotatedNotPersisted;

        if (storedTokenWorks(world, kill))
            continue;
        if (!serverRotated)
            ++counts.lostBeforeServer;
        else if (after != before)
            ++counts.lostAfterPersist;
        else
            ++counts.lostInWindow;
    }
    BOOST_TEST_MESSAGE("of " << kKills << " kills: " << counts.finishedBeforeKill << " came after the process had finished, "
                             << counts.beforeServer << " before the refresh reached the server, " << counts.persisted
                             << " after the new token was stored, " << counts.rotatedNotPersisted
                             << " after the server rotated but before the new token was stored; lost tokens: "
                             << counts.lostInWindow << " in that window, " << counts.lostBeforeServer
                             << " before the server, " << counts.lostAfterPersist << " after storing; "
                             << counts.cutWrites << " kills cut a state write short");
    BOOST_TEST(counts.lostBeforeServer == 0);
    BOOST_TEST(counts.lostAfterPersist == 0);
    return counts;
}

/// Kills aimed at the window itself: the server holds its answer for 300 ms
/// (it rotates after the delay, as a server does that finishes a request
/// whose client has gone), the broker is killed while it waits. Returns how
/// many of `kills` lost the token.
int killsWhileTheRefreshIsInFlight(OAuthWorld& world, int kills)
{
    const std::string identity = world.state("app")->getValue<std::string>("identity");
    int lost = 0;
    for (int kill = 0; kill < kills; ++kill)
    {
        const std::string before = world.storedRefreshToken("app");
        const std::size_t presentedBefore = presentedRefreshTokens(world.emulator()).size();
        world.emulator().addFaults("[{\"path\":\"" + kTokenPath + "\",\"method\":\"POST\",\"delay_ms\":300,\"count\":1}]");
        auto victim = world.startBroker({"once", "app"});
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (presentedRefreshTokens(world.emulator()).size() == presentedBefore &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(2ms);
        victim->signal(SIGKILL);
        BOOST_TEST_REQUIRE(victim->wait(10s).has_value());
        std::this_thread::sleep_for(400ms);   // the server finishes and rotates
        expectIntactState(world, identity, kill);
        BOOST_TEST(world.storedRefreshToken("app") == before, "nothing can have been stored");
        lost += !storedTokenWorks(world, kill);
    }
    BOOST_TEST_MESSAGE("of " << kills << " kills while the server was answering, " << lost << " lost the token");
    return lost;
}

} // namespace

BOOST_AUTO_TEST_CASE(kill_9_during_100_refreshes_with_strict_rotation)
{
    OAuthWorld world;
    CrashCounts counts = crashLoop(world);
    // The loss in the window is the server's rule, not the broker's doing;
    // but nothing outside that window may be lost.
    BOOST_TEST(counts.lostInWindow <= counts.rotatedNotPersisted);
    // Measured, not asserted: with strict rotation every such kill loses.
    killsWhileTheRefreshIsInFlight(world, 10);
}

BOOST_AUTO_TEST_CASE(kill_9_during_100_refreshes_loses_nothing_with_a_reuse_grace)
{
    EmulatorSettings settings;
    settings.refreshReuseGrace = 60;
    OAuthWorld world(settings);
    CrashCounts counts = crashLoop(world);
    BOOST_TEST(counts.lostInWindow == 0);
    BOOST_TEST(killsWhileTheRefreshIsInFlight(world, 10) == 0);
}
