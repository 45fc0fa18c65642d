#define BOOST_TEST_MODULE OutageTest
#include <boost/test/unit_test.hpp>

// Time passing while the server is away: a token that expires during an
// outage leaves its outputs and the profile says `expired` until the server
// is back; a wall-clock jump (suspend/resume) is noticed without a signal.

#include "EngineTestSupport.h"
#include "StatusTable.h"

#include <tuple>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

std::int64_t unixMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t unixSeconds()
{
    return unixMs() / 1000;
}

/// `tokenbroker status -c CONFIG`: the line for `svc` and the exit status.
/// svc's STATE in `tokenbroker status`, and its exit status.
std::pair<std::string, int> statusOf(const BrokerConfig& config)
{
    RunResult status = broker({"status", "-c", config.path});
    return {statusRow(status.out, "svc").at("STATE"), status.status};
}

} // namespace

BOOST_AUTO_TEST_CASE(a_token_that_expires_during_an_outage_is_withdrawn_and_comes_back_with_the_server)
{
    // 10 s tokens renewed at half-life: the outage outlasts the token, and
    // the first failure (at ~5 s) comes well before expiry even on a loaded
    // machine.
    JwtDaemon world("    duration: 10s\n");
    const FileState first = fileState(world.tokenFile());
    Fault outage;
    outage.status = 503;
    outage.body = R"({"error_code":"internal_error","error_message":"Service internal error."})";
    outage.count = 1000;
    addFault(*world.emulator, outage);

    // The first failure comes before expiry: the last good token stays.
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("; attempt 1, next try ", 10s), world.daemon->log());
    if (!contains(world.daemon->log(), "svc: token expired"))
    {
        BOOST_TEST((fileState(world.tokenFile()) == first), "the last good token must stay until it expires");
        BOOST_TEST(profileStatus(*world.daemon, "svc") == "retrying");
    }

    BOOST_TEST_REQUIRE(world.daemon->waitForLog("svc: token expired before it could be renewed; removed from its outputs", 15s),
                       world.daemon->log());
    BOOST_TEST(!fileState(world.tokenFile()).exists, "an expired token must not stay in the outputs");
    BOOST_TEST(!fileState(world.jsonFile()).exists);
    BOOST_TEST(profileStatus(*world.daemon, "svc") == "expired");
    // Still expired after further failed attempts, not merely "retrying".
    const std::size_t failedSoFar = retryLines(world.daemon->log(), "svc").size();
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("svc: failed: ", 10s, failedSoFar + 1), world.daemon->log());
    BOOST_TEST(profileStatus(*world.daemon, "svc") == "expired");
    auto [line, rc] = statusOf(world.config);
    BOOST_TEST(rc == 1, line);
    BOOST_TEST(line == "expired");
    BOOST_TEST(!fileState(world.tokenFile()).exists);
    BOOST_TEST(world.daemon->admin("GET", "/readyz").status == 503);

    // The server is back: a new token without anyone's help.
    const std::size_t renewed = world.renewals();
    world.emulator->reset();
    BOOST_TEST_REQUIRE(world.waitForRenewals(renewed + 1, 10s), world.daemon->log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(world.tokenFile()).exists; }, 5s));
    const std::string token = readFile(world.tokenFile());
    BOOST_TEST(token.rfind("czs_", 0) == 0, token);
    BOOST_TEST(token != first.content);
    BOOST_TEST(profileStatus(*world.daemon, "svc") == "ready");
    std::tie(line, rc) = statusOf(world.config);
    BOOST_TEST(rc == 0, line);
    BOOST_TEST(line == "ready");
    BOOST_TEST(world.daemon->admin("GET", "/readyz").status == 200);
}

BOOST_AUTO_TEST_CASE(a_clock_jump_past_expiry_is_noticed_without_a_signal)
{
    TempDir clockDir;
    const std::string offsetFile = clockDir.file("offset");
    writeFile(offsetFile, "0\n");
    // An hour-long token renewed at half-life: nothing is due for 30 min.
    JwtDaemon world("    duration: 3600s\n", kFastRefresh, {{"TOKENBROKER_TEST_CLOCK_OFFSET_FILE", offsetFile}});
    const FileState first = fileState(world.tokenFile());
    BOOST_TEST(contains(world.daemon->log(), "next refresh "));
    // The daemon's own schedule before the jump: the next renewal is due at
    // half-life, the token is good for an hour.
    const Poco::JSON::Object::Ptr scheduled = profileView(*world.daemon, "svc");
    BOOST_TEST_REQUIRE(scheduled);
    BOOST_TEST_REQUIRE(!scheduled->get("next_refresh").isEmpty());
    const std::int64_t dueBeforeJump = scheduled->getValue<Poco::Int64>("next_refresh");
    const std::int64_t firstExpiry = scheduled->getValue<Poco::Int64>("expires_at");
    BOOST_TEST(dueBeforeJump - unixSeconds() > 1500, "nothing may be due for about half an hour");

    // The machine slept 62 minutes: the daemon's clock and the server's
    // both moved on, the token is past its expiry.
    const std::int64_t jump = 3720;
    BOOST_TEST_REQUIRE(unixSeconds() + jump > firstExpiry);
    world.emulator->advanceClock(jump);
    writeFile(offsetFile, std::to_string(jump) + "\n");
    const std::int64_t jumpedAtMs = unixMs();

    // The daemon notices by itself (it re-checks its wall-clock deadlines
    // at least every 30 s; 120 s only bounds how long the test waits) and
    // renews: no signal, no reload.
    BOOST_TEST_REQUIRE(world.waitForRenewals(2, 120s), world.daemon->log());
    BOOST_TEST(!contains(world.daemon->log(), "reloading"), "no signal was needed");
    // It was the jump that made the renewal due: the server saw it after the
    // jump and long before the real time of the renewal scheduled before it.
    const auto times = requestTimes(*world.emulator, kTokenPath);
    BOOST_TEST_REQUIRE(times.size() == 2u, world.daemon->log());
    BOOST_TEST(times.back() >= jumpedAtMs);
    BOOST_TEST(times.back() < dueBeforeJump * 1000, "the renewal came on its old schedule, not from the jump");

    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(world.tokenFile()).exists; }, 120s), world.daemon->log());
    const FileState renewed = fileState(world.tokenFile());
    BOOST_TEST(renewed.content != first.content);
    BOOST_TEST(renewed.content.rfind("czs_", 0) == 0, renewed.content);

    // The renewed token stays published. A token is only ever withdrawn by
    // the scheduler's expiry check, for a current token past its expiry: the
    // daemon holds the renewed one as current, valid for an hour of its
    // (jumped) time, and nothing is scheduled before its next refresh at
    // half-life.
    const Poco::JSON::Object::Ptr now = profileView(*world.daemon, "svc");
    BOOST_TEST_REQUIRE(now);
    BOOST_TEST(now->getValue<std::string>("status") == "ready", world.daemon->log());
    const std::int64_t daemonNow = unixSeconds() + jump;
    const std::int64_t expiresAt = now->getValue<Poco::Int64>("expires_at");
    BOOST_TEST(expiresAt > daemonNow + 1800, "the daemon's current token is not the renewed one");
    BOOST_TEST_REQUIRE(!now->get("next_refresh").isEmpty());
    const std::int64_t nextRefresh = now->getValue<Poco::Int64>("next_refresh");
    BOOST_TEST(nextRefresh > daemonNow + 1500);
    BOOST_TEST(nextRefresh < expiresAt);
    BOOST_TEST(world.daemon->admin("GET", "/readyz").status == 200);
    BOOST_TEST((fileState(world.tokenFile()) == renewed), world.daemon->log());
    const std::string json = readFile(world.jsonFile());
    BOOST_TEST(contains(json, renewed.content.substr(0, renewed.content.size() - 1)), json);
    BOOST_TEST(countOf(world.daemon->log(), " svc: ok, token valid until ") == 2u, "no renewal since");
}

BOOST_AUTO_TEST_CASE(a_token_that_expires_while_its_renewal_hangs_is_withdrawn_on_time)
{
    // 4 s tokens renewed after 2 s; that renewal hangs 40 s in the server,
    // within request_timeout. The token must leave the outputs when it
    // expires, not when the hung renewal finally returns. (The hang is long
    // so that a loaded machine's stall of several seconds cannot make the
    // withdrawal look late; what proves "on time" is that the renewal is
    // still in the network when the withdrawal is seen.)
    JwtDaemon world("    duration: 4s\n    request_timeout: 60s\n    read_timeout: 60s\n");
    Fault hang;
    hang.delayMs = 40000;
    addFault(*world.emulator, hang);

    BOOST_TEST_REQUIRE(waitUntil([&] { return !fileState(world.tokenFile()).exists; }, 30s),
                       "the expired token stayed in the outputs while its renewal hung\n" << world.daemon->log());
    // Withdrawn while the renewal was still in the network.
    BOOST_TEST(world.renewals() == 1u, world.daemon->log());
    BOOST_TEST(requestTimes(*world.emulator, kTokenPath).size() == 2u);
    BOOST_TEST(contains(world.daemon->log(), "svc: token expired before it could be renewed; removed from its outputs"));
    BOOST_TEST(!fileState(world.jsonFile()).exists);
    BOOST_TEST(profileStatus(*world.daemon, "svc") == "expired");

    // The hung renewal completes: the new token is published.
    BOOST_TEST_REQUIRE(world.waitForRenewals(2, 60s), world.daemon->log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(world.tokenFile()).exists; }, 10s), world.daemon->log());
    BOOST_TEST(profileStatus(*world.daemon, "svc") == "ready");
}
