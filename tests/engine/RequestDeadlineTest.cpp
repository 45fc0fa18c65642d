#define BOOST_TEST_MODULE RequestDeadlineTest
#include <boost/test/unit_test.hpp>

// request_timeout as an operator meets it (issue 9, "Deadlines are
// deadlines"): the real tokenbroker against an emulator that takes the token
// request and then never answers, or answers one byte a second. Per-read
// time-outs never fire on such a server; only the deadline of the whole
// request ends the attempt, and it must end it — for `tokenbroker once` and
// for a renewal in the daemon, which then counts it as a failure and
// recovers by itself once the server behaves.

#include "EngineTestSupport.h"

#include <Poco/JSON/Object.h>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

/// read_timeout above request_timeout: what ends an attempt can only be the
/// deadline of the whole request.
const std::string kTimeouts = "    connect_timeout: 2s\n"
                              "    read_timeout: 30s\n"
                              "    request_timeout: 3s\n";

/// `hang` or `trickle_ms` for every token request until the emulator is reset.
void addStall(const EmulatorProcess& emulator, const std::string& how)
{
    emulator.addFaults(std::string(R"([{"path": ")") + kTokenPath + R"(", )" + how + R"(, "count": 1000}])");
}

void expectOnceEndsWith(const std::string& how, const std::string& phase)
{
    auto emulator = startEmulator();
    BrokerConfig config;
    config.write({config.jwtProfile("svc", *emulator, kTimeouts)});
    addStall(*emulator, how);

    // broker() kills the process after 60 s: a deadline of 3 s that does
    // not hold shows as a killed process.
    const RunResult result = broker({"once", "-c", config.path, "svc"});
    BOOST_TEST(result.status == 1, result.status << "\n" << result.err);
    BOOST_TEST(contains(result.err, "svc: failed: JWT token exchange failed (temporary, retryable): "
                                    "request timed out after 3s (" + phase + " 127.0.0.1:" +
                                    std::to_string(emulator->port()) + ")"),
               result.err);
    BOOST_TEST(requestTimes(*emulator, kTokenPath).size() == 1u, "one attempt, one request");
    BOOST_TEST(!fileState(config.tokenFile("svc")).exists);
}

/// The value of one metric line (`NAME{LABELS} VALUE`) in GET /metrics;
/// -1 when there is no such line.
long long metric(DaemonProcess& daemon, const std::string& series)
{
    const std::string text = daemon.admin("GET", "/metrics").body;
    const auto lines = linesWith(text, series + " ");
    for (const auto& line : lines)
    {
        if (line.rfind(series + " ", 0) == 0)
            return std::stoll(line.substr(series.size() + 1));
    }
    return -1;
}

const std::string kErrors = "tokenbroker_refresh_total{profile=\"svc\",result=\"error\"}";
const std::string kConsecutive = "tokenbroker_consecutive_failures{profile=\"svc\"}";
const std::string kReady = "tokenbroker_profile_ready{profile=\"svc\"}";

} // namespace

BOOST_AUTO_TEST_SUITE(Once)

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_fails_once_at_request_timeout)
{
    expectOnceEndsWith(R"("hang": true)", "waiting for the answer from");
}

BOOST_AUTO_TEST_CASE(a_server_trickling_its_answer_fails_once_at_request_timeout)
{
    expectOnceEndsWith(R"("trickle_ms": 1000)", "reading the answer from");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Daemon)

BOOST_AUTO_TEST_CASE(a_stalled_renewal_is_in_flight_then_a_failure_then_recovers)
{
    // Longer than in `once`: the in-flight state is looked at while it lasts.
    JwtDaemon world("    connect_timeout: 2s\n"
                    "    read_timeout: 30s\n"
                    "    request_timeout: 8s\n");
    DaemonProcess& daemon = *world.daemon;
    const std::string tokenBefore = fileState(world.tokenFile()).content;
    const std::size_t requestsBefore = requestTimes(*world.emulator, kTokenPath).size();
    addStall(*world.emulator, R"("trickle_ms": 1000)");
    BOOST_REQUIRE_EQUAL(daemon.adminPost("/v1/profiles/svc/refresh").status, 202);

    // The server has the request and is trickling the answer.
    BOOST_TEST_REQUIRE(waitUntil([&] { return requestTimes(*world.emulator, kTokenPath).size() > requestsBefore; }, 30s),
                       daemon.log());
    auto view = profileView(daemon, "svc");
    BOOST_REQUIRE(view);
    BOOST_TEST(view->getValue<bool>("in_flight"), "the renewal is in flight while the server trickles");
    BOOST_TEST(view->getValue<int>("consecutive_failures") == 0);

    // The deadline ends the attempt, and it counts as a failure.
    BOOST_TEST_REQUIRE(waitUntil([&] {
        auto v = profileView(daemon, "svc");
        return v && v->getValue<int>("consecutive_failures") >= 1;
    }, 60s), daemon.log());
    view = profileView(daemon, "svc");
    const std::string lastError = view->getValue<std::string>("last_error");
    BOOST_TEST(contains(lastError, "request timed out after 8s (reading the answer from 127.0.0.1:" +
                                       std::to_string(world.emulator->port()) + ")"),
               lastError);
    BOOST_TEST(view->getValue<Poco::UInt64>("failures") >= 1u);
    BOOST_TEST(metric(daemon, kErrors) >= 1);
    BOOST_TEST(metric(daemon, kConsecutive) >= 1);
    BOOST_TEST(contains(daemon.log(), "svc: failed: JWT token exchange failed (temporary, retryable): "
                                      "request timed out after 8s (reading the answer from 127.0.0.1:"),
               daemon.log());
    // Still serving the old token meanwhile.
    BOOST_TEST(fileState(world.tokenFile()).content == tokenBefore);

    // The server behaves again: the daemon recovers without a restart.
    world.emulator->reset();
    BOOST_TEST_REQUIRE(waitUntil([&] {
        auto v = profileView(daemon, "svc");
        return v && v->getValue<int>("consecutive_failures") == 0 && v->getValue<Poco::UInt64>("refreshes") >= 2u;
    }, 60s), daemon.log());
    BOOST_TEST(profileStatus(daemon, "svc") == "ready");
    BOOST_TEST(!profileView(daemon, "svc")->getValue<bool>("in_flight"));
    BOOST_TEST(metric(daemon, kConsecutive) == 0);
    BOOST_TEST(metric(daemon, kReady) == 1);
    BOOST_TEST(fileState(world.tokenFile()).content != tokenBefore, "a new token was published");
    BOOST_TEST(daemon.process().running());
}

BOOST_AUTO_TEST_SUITE_END()
