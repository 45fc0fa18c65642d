// The crash test of issue 5: `tokenbroker once` killed with SIGKILL at random
// moments of a refresh, 100 times, against the emulator; after every kill a
// fresh `once` must still find a refresh token the server accepts.
//
// With a server that rotates strictly (the presented token dies the moment
// the new one is issued) there is a window no client can close: the server
// has rotated, but the process dies before the answer is on disk. Each kill
// is placed from evidence that does not depend on whether the token
// survived: the emulator's request log (did the killed process's refresh
// reach the server?) and the state file (was a new token stored?). The test
// asserts what the broker controls:
//   - the state file is never partial: always a JSON object with the
//     profile's identity and a refresh token; no temporary files are left;
//   - every kill outside the window keeps a working token (a kill before
//     the server saw the refresh, or after the new token was stored), i.e.
//     every lost token was lost in the window;
//   - kills aimed at the window are placed in it by that evidence, and with
//     strict rotation every one of them loses the token: the window is real
//     and the check does tell a lost token.
// With a reuse grace on the server (an assumption many OAuth servers meet),
// the window closes and no kill may lose the token at all.

#define BOOST_TEST_MODULE RefreshCrashTest
#include <boost/test/unit_test.hpp>

#include "OAuthWorld.h"
#include "RecordedRequests.h"

#include <Poco/DirectoryIterator.h>

#include <algorithm>
#include <random>
#include <thread>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth;
using namespace std::chrono_literals;

namespace {

constexpr int kKills = 100;

/// What the evidence says about one kill, gathered without asking whether
/// the token survived: the emulator's request log (did the killed process's
/// refresh reach the server?) and the state file (was a new token stored?).
struct KillEvidence
{
    bool exitedFirst = false;          ///< `once` had finished before the signal
    std::size_t refreshesSeen = 0;     ///< the killed process's refreshes the server recorded
    bool newTokenStored = false;       ///< the state holds a token other than the one presented

    /// The unavoidable window: the server took the stored token (with strict
    /// rotation: spent it), but its successor never reached the disk.
    bool inWindow() const { return refreshesSeen > 0 && !newTokenStored; }
    std::string describe() const
    {
        return std::string(exitedFirst ? "exited before the kill, " : "") +
               (refreshesSeen == 0 ? "the refresh never reached the server"
                : newTokenStored   ? "the server rotated and the new token was stored"
                                   : "the server rotated, the new token was not stored (the window)");
    }
};

/// Where the kills landed and what they cost.
struct CrashCounts
{
    int finishedBeforeKill = 0;     ///< the process completed first
    int beforeServer = 0;           ///< no refresh reached the server
    int persisted = 0;              ///< server rotated, new token on disk
    int inWindow = 0;               ///< server rotated, old token on disk
    int lostInWindow = 0;           ///< the unavoidable kind, strict servers only
    int lostOutsideWindow = 0;      ///< must stay 0 (each one is also reported)
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
/// rotates it; it presents the stored token exactly once). When it does not,
/// the user logs in again so the test can go on. Afterwards no temporary file
/// may be left: a kill mid-write leaves one, and the next write must clear
/// it.
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

/// The evidence on one kill, from the request log read after the check (so a
/// killed process's refresh the emulator recorded only late still counts):
/// since `presentedBefore`, the refreshes are the killed process's (each
/// presenting `before`) and the check's one (presenting `after`, the token
/// stored at the kill).
KillEvidence classify(OAuthWorld& world, int kill, bool exitedFirst, std::size_t presentedBefore,
                      const std::string& before, const std::string& after)
{
    const std::vector<std::string> all = presentedRefreshTokens(world.emulator());
    BOOST_TEST_REQUIRE(all.size() > presentedBefore, "kill " << kill << ": the check presented no refresh token");
    const std::vector<std::string> presented(all.begin() + static_cast<std::ptrdiff_t>(presentedBefore), all.end());
    std::size_t ofBefore = 0, ofAfter = 0;
    for (const auto& token : presented)
    {
        ofBefore += token == before;
        ofAfter += token == after;
        BOOST_TEST((token == before || token == after), "kill " << kill << ": presented a token never stored");
    }
    KillEvidence evidence;
    evidence.exitedFirst = exitedFirst;
    evidence.newTokenStored = after != before;
    // The check presented `after` once; every other refresh is the killed
    // process's, and it can only have presented `before`.
    evidence.refreshesSeen = presented.size() - 1;
    BOOST_TEST(ofAfter >= 1u, "kill " << kill << ": the check did not present the stored token");
    BOOST_TEST(evidence.refreshesSeen <= 1u, "kill " << kill << ": more than one refresh");
    if (evidence.newTokenStored)
    {
        BOOST_TEST(ofBefore == 1u, "kill " << kill << ": the token changed without a refresh of the stored one");
        BOOST_TEST(evidence.refreshesSeen == 1u, "kill " << kill << ": the token changed without a refresh");
    }
    return evidence;
}

/// Adds one kill's outcome to the counts; a token lost outside the window is
/// an error of its own, with the evidence.
void tally(CrashCounts& counts, const KillEvidence& evidence, bool works, int kill)
{
    counts.finishedBeforeKill += evidence.exitedFirst;
    if (evidence.refreshesSeen == 0)
        ++counts.beforeServer;
    else if (evidence.newTokenStored)
        ++counts.persisted;
    else
        ++counts.inWindow;
    if (works)
        return;
    if (evidence.inWindow())
        ++counts.lostInWindow;
    else
    {
        ++counts.lostOutsideWindow;
        BOOST_ERROR("kill " << kill << ": the token was lost outside the window: " << evidence.describe());
    }
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
        // The kill moment is what is random here, not a wait for anything.
        std::this_thread::sleep_for(std::chrono::milliseconds(delayMs(random)));
        victim->kill();
        auto status = victim->wait(10s);
        BOOST_TEST_REQUIRE(status.has_value());
        if (*status != 0)
            BOOST_TEST(*status == ChildProcess::killedStatus, "kill " << kill << ": " << victim->err());

        expectIntactState(world, identity, kill);
        counts.cutWrites += !leftovers(world).empty();
        const std::string after = world.storedRefreshToken("app");
        const bool works = storedTokenWorks(world, kill);
        const KillEvidence evidence = classify(world, kill, *status == 0, presentedBefore, before, after);
        tally(counts, evidence, works, kill);
    }
    BOOST_TEST_MESSAGE("of " << kKills << " kills: " << counts.finishedBeforeKill << " came after the process had finished, "
                             << counts.beforeServer << " before the refresh reached the server, " << counts.persisted
                             << " after the new token was stored, " << counts.inWindow
                             << " after the server rotated but before the new token was stored; lost tokens: "
                             << counts.lostInWindow << " in that window, " << counts.lostOutsideWindow
                             << " outside it; " << counts.cutWrites << " kills cut a state write short");
    // Every kill outside the window kept a working token, which is the same
    // as: every lost token was lost in the window (each exception is an
    // error above, with its evidence).
    BOOST_TEST(counts.lostOutsideWindow == 0);
    return counts;
}

/// Kills aimed at the window itself: the server holds its answer for 1.5 s
/// (it rotates after the delay, as a server does that finishes a request
/// whose client has gone), the broker is killed once the emulator has
/// recorded its refresh. The hold must outlast the test's polling of the
/// request log plus the kill, each a new TLS connection: at 300 ms, an
/// ASan build beside a compiler sometimes saw the broker finish first. The
/// check's own refresh is then held longer (it arrives later and waits 2 s),
/// so the server has finished the killed one before it sees the check's. Every such kill must be classified in the
/// window; returns the counts.
CrashCounts killsWhileTheRefreshIsInFlight(OAuthWorld& world, int kills)
{
    const std::string identity = world.state("app")->getValue<std::string>("identity");
    const std::string hold = "[{\"path\":\"" + kTokenPath + "\",\"method\":\"POST\",\"delay_ms\":";
    CrashCounts counts;
    for (int kill = 0; kill < kills; ++kill)
    {
        const std::string before = world.storedRefreshToken("app");
        const std::size_t presentedBefore = presentedRefreshTokens(world.emulator()).size();
        world.emulator().addFaults(hold + "1500,\"count\":1}]");
        auto victim = world.startBroker({"once", "app"});
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (presentedRefreshTokens(world.emulator()).size() == presentedBefore &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(2ms);
        BOOST_TEST_REQUIRE(presentedRefreshTokens(world.emulator()).size() > presentedBefore,
                           "the refresh never reached the server\n" << victim->err());
        victim->kill();
        auto status = victim->wait(10s);
        BOOST_TEST_REQUIRE(status.has_value());
        BOOST_TEST(*status == ChildProcess::killedStatus, "kill " << kill << ": it cannot finish while the server holds its answer");
        expectIntactState(world, identity, kill);
        const std::string after = world.storedRefreshToken("app");
        BOOST_TEST(after == before, "nothing can have been stored");
        // Rules are taken in order: the killed refresh took the 1.5 s one.
        world.emulator().addFaults(hold + "2000,\"count\":1}]");
        const bool works = storedTokenWorks(world, kill);
        const KillEvidence evidence = classify(world, kill, *status == 0, presentedBefore, before, after);
        BOOST_TEST(evidence.inWindow(), "kill " << kill << ": " << evidence.describe());
        tally(counts, evidence, works, kill);
    }
    BOOST_TEST_MESSAGE("of " << kills << " kills while the server was answering, " << counts.inWindow
                             << " were in the window by the evidence, " << counts.lostInWindow << " lost the token");
    return counts;
}

} // namespace

BOOST_AUTO_TEST_CASE(kill_9_during_100_refreshes_with_strict_rotation)
{
    OAuthWorld world;
    CrashCounts counts = crashLoop(world);
    // Measured, not asserted: whether a random kill lands in the window (and
    // whether the check's refresh could still overtake a killed one the
    // emulator recorded late) is up to chance.
    BOOST_TEST_MESSAGE("strict rotation: " << counts.lostInWindow << " of " << counts.inWindow
                                           << " kills in the window lost the token");
    // Aimed at the window, the outcome is certain: the server spent the
    // stored token, so every one of these kills loses it. This is also what
    // shows the check can tell a lost token at all.
    CrashCounts inFlight = killsWhileTheRefreshIsInFlight(world, 10);
    BOOST_TEST(inFlight.inWindow == 10);
    BOOST_TEST(inFlight.lostInWindow == 10);
    BOOST_TEST(inFlight.lostOutsideWindow == 0);
}

BOOST_AUTO_TEST_CASE(kill_9_during_100_refreshes_loses_nothing_with_a_reuse_grace)
{
    EmulatorSettings settings;
    settings.refreshReuseGrace = 60;
    OAuthWorld world(settings);
    CrashCounts counts = crashLoop(world);
    BOOST_TEST(counts.lostInWindow == 0);
    CrashCounts inFlight = killsWhileTheRefreshIsInFlight(world, 10);
    BOOST_TEST(inFlight.inWindow == 10);
    BOOST_TEST(inFlight.lostInWindow == 0);
    BOOST_TEST(inFlight.lostOutsideWindow == 0);
}
