#define BOOST_TEST_MODULE FaultRecoveryTest
#include <boost/test/unit_test.hpp>

// A running daemon with one jwt profile meets the emulator's faults at the
// token endpoint. What an operator checks: the failure is in the log with
// its attempt number and next try, the token file is never touched while
// renewals fail (content, mtime and inode), and the daemon recovers by
// itself once the server behaves. Renewals are started through the admin
// endpoint so no test waits for a schedule.

#include "EngineTestSupport.h"

#include <Poco/String.h>


using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

/// The outputs as they were before the faults.
struct Published
{
    FileState token;
    FileState json;

    explicit Published(const JwtDaemon& world)
        : token(fileState(world.tokenFile()))
        , json(fileState(world.jsonFile()))
    {
    }

    void expectUntouched(const JwtDaemon& world) const
    {
        const FileState tokenNow = fileState(world.tokenFile());
        BOOST_TEST(tokenNow.exists);
        BOOST_TEST(tokenNow.content == token.content, "the token file was rewritten while renewals failed");
        BOOST_TEST(tokenNow.mtimeNs == token.mtimeNs);
        BOOST_TEST(tokenNow.inode == token.inode);
        BOOST_TEST((fileState(world.jsonFile()) == json), "the json output was rewritten while renewals failed");
    }
};

void renewNow(JwtDaemon& world)
{
    HttpResult answer = world.daemon->adminPost("/v1/profiles/svc/refresh");
    BOOST_REQUIRE_EQUAL(answer.status, 202);
}

/// The fresh token after a recovery: a real czs_ token, not the old one.
void expectNewToken(const JwtDaemon& world, const Published& before)
{
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(world.tokenFile()).content != before.token.content; }, 10s),
                       world.daemon->log());
    const std::string token = fileState(world.tokenFile()).content;
    BOOST_TEST(token.rfind("czs_", 0) == 0, token);
    BOOST_TEST(token.back() == '\n');
    BOOST_TEST(token.find_first_of("{}<> ") == std::string::npos, token);
}

/// A retryable answer: logged with attempt numbers, outputs untouched while
/// it lasts (`count` answers), then a new token without anyone's help.
void expectRetriedThenRecovered(const Fault& fault, const std::string& message)
{
    JwtDaemon world;
    const Published before(world);
    addFault(*world.emulator, fault);
    renewNow(world);
    for (int attempt = 1; attempt <= fault.count; ++attempt)
    {
        BOOST_TEST_REQUIRE(world.daemon->waitForLog("; attempt " + std::to_string(attempt) + ", next try ", 15s),
                           world.daemon->log());
        before.expectUntouched(world);
    }
    BOOST_TEST_REQUIRE(world.waitForRenewals(2, 15s), world.daemon->log());
    expectNewToken(world, before);

    const auto retries = retryLines(world.daemon->log(), "svc");
    BOOST_REQUIRE_EQUAL(retries.size(), static_cast<std::size_t>(fault.count));
    for (const auto& retry : retries)
        BOOST_TEST(contains(retry.line, "svc: failed: " + message), retry.line);
    // Attempt counting restarts after a success.
    BOOST_TEST(!contains(world.daemon->log(), "; attempt " + std::to_string(fault.count + 1) + ","));
    BOOST_TEST(!contains(world.daemon->log(), "not retrying"));
}

/// A fatal answer: logged, outputs untouched, no retries until an operator
/// asks (here through the admin endpoint), then a new token.
void expectParkedUntilAsked(const Fault& fault, const std::string& message)
{
    JwtDaemon world;
    const Published before(world);
    const std::size_t requestsBefore = requestTimes(*world.emulator, fault.path).size();
    addFault(*world.emulator, fault);
    renewNow(world);
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("; not retrying until the configuration is reloaded", 15s),
                       world.daemon->log());
    const auto failures = linesWith(world.daemon->log(), " svc: failed: ");
    BOOST_REQUIRE_EQUAL(failures.size(), 1u);
    // The server's log id may follow the message.
    BOOST_TEST(contains(failures[0], " svc: failed: " + message), failures[0]);
    BOOST_TEST(contains(failures[0], " Error "), failures[0]);
    before.expectUntouched(world);

    // Parked: the daemon schedules nothing (a backoff retry would have a
    // next_refresh, 1 to 4 s ahead).
    const Poco::JSON::Object::Ptr parked = profileView(*world.daemon, "svc");
    BOOST_TEST_REQUIRE(parked);
    BOOST_TEST(parked->getValue<std::string>("status") == "failed");
    BOOST_TEST(parked->get("next_refresh").isEmpty(), "a parked profile has no next refresh");
    BOOST_TEST(parked->getValue<int>("failures") == 1);
    BOOST_TEST(requestTimes(*world.emulator, fault.path).size() == requestsBefore + 1);
    before.expectUntouched(world);

    // Only the operator's request sends the next one: the server sees it
    // after the ask, and nothing in between.
    const std::size_t requestsAtAsk = requestTimes(*world.emulator, fault.path).size();
    const std::int64_t askedAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch()).count();
    renewNow(world);
    BOOST_TEST_REQUIRE(world.waitForRenewals(2, 60s), world.daemon->log());
    expectNewToken(world, before);
    const auto times = requestTimes(*world.emulator, fault.path);
    BOOST_TEST_REQUIRE(times.size() == requestsAtAsk + 1, "requests besides the one asked for");
    BOOST_TEST(times.back() >= askedAtMs);
    BOOST_TEST(linesWith(world.daemon->log(), " svc: failed: ").size() == 1u, "retried while parked");
}

/// One answer with `Retry-After: seconds` (min_backoff is 1 s, so only the
/// header explains a longer wait): the log announces it and the server sees
/// the retry no earlier.
void expectRetryAfterHonoured(int status, const std::string& body, int seconds, const std::string& message)
{
    JwtDaemon world;
    const Published before(world);
    Fault limited;
    limited.status = status;
    limited.body = body;
    limited.headers = {{"Retry-After", std::to_string(seconds)}};
    addFault(*world.emulator, limited);
    renewNow(world);

    BOOST_TEST_REQUIRE(world.daemon->waitForLog("; attempt 1, next try ", 15s), world.daemon->log());
    const auto retries = retryLines(world.daemon->log(), "svc");
    BOOST_REQUIRE_EQUAL(retries.size(), 1u);
    BOOST_TEST(retries[0].delaySeconds == seconds, retries[0].line);
    BOOST_TEST(contains(retries[0].line, "svc: failed: JWT token exchange failed (temporary, retryable): " + message),
               retries[0].line);
    BOOST_TEST(contains(retries[0].line, "(in " + std::to_string(seconds) + "s)"), retries[0].line);
    before.expectUntouched(world);

    BOOST_TEST_REQUIRE(world.waitForRenewals(2, 15s), world.daemon->log());
    expectNewToken(world, before);
    const auto times = requestTimes(*world.emulator, kTokenPath);
    BOOST_REQUIRE(times.size() >= 3u);
    const std::int64_t gap = times[times.size() - 1] - times[times.size() - 2];
    BOOST_TEST(gap >= seconds * 1000 - 100, "retried " << gap << " ms after Retry-After: " << seconds);
}

} // namespace

BOOST_AUTO_TEST_SUITE(RetryableFaults)

BOOST_AUTO_TEST_CASE(a_5xx_storm_is_retried_with_growing_backoff_and_recovers_when_it_ends)
{
    JwtDaemon world;
    const Published before(world);
    Fault storm;
    storm.status = 503;
    storm.body = "<html>Service Unavailable</html>";
    storm.count = 4;
    addFault(*world.emulator, storm);
    renewNow(world);

    BOOST_TEST_REQUIRE(world.daemon->waitForLog("; attempt 4, next try ", 25s), world.daemon->log());
    before.expectUntouched(world);
    BOOST_TEST_REQUIRE(world.waitForRenewals(2, 15s), world.daemon->log());
    expectNewToken(world, before);

    // min_backoff 1s, max_backoff 4s: attempt n waits within
    // [1 s, min(4 s, 1 s * 2^(n-1))] — the ceiling grows with each failure.
    const auto retries = retryLines(world.daemon->log(), "svc");
    BOOST_REQUIRE_EQUAL(retries.size(), 4u);
    const std::int64_t ceiling[] = {1, 2, 4, 4};
    for (std::size_t i = 0; i < retries.size(); ++i)
    {
        BOOST_TEST_CONTEXT(retries[i].line)
        {
            BOOST_TEST(retries[i].attempt == static_cast<int>(i + 1));
            BOOST_TEST(contains(retries[i].line, "svc: failed: JWT token exchange failed (temporary, retryable): HTTP 503"));
            BOOST_TEST(retries[i].delaySeconds >= 1);
            BOOST_TEST(retries[i].delaySeconds <= ceiling[i]);
        }
    }
    // The server saw the attempts no closer together than min_backoff.
    const auto times = requestTimes(*world.emulator, kTokenPath);
    BOOST_REQUIRE(times.size() >= 6u);  // first token, 4 failures, the recovery
    for (std::size_t i = times.size() - 4; i < times.size(); ++i)
        BOOST_TEST(times[i] - times[i - 1] >= 950, "attempts " << i - 1 << " and " << i);
}

BOOST_AUTO_TEST_CASE(a_429_with_retry_after_is_not_retried_before_the_server_said)
{
    expectRetryAfterHonoured(429, R"({"error_code":"rate_limited","error_message":"slow down"})", 3,
                             "server answered rate_limited: slow down");
}

BOOST_AUTO_TEST_CASE(a_503_with_retry_after_is_not_retried_before_the_server_said)
{
    expectRetryAfterHonoured(503, "<html>maintenance</html>", 2, "HTTP 503");
}

BOOST_AUTO_TEST_CASE(a_server_that_hangs_longer_than_request_timeout_is_a_timeout_and_retried)
{
    JwtDaemon world("    request_timeout: 2s\n");
    const Published before(world);
    Fault hang;
    hang.delayMs = 15000;
    addFault(*world.emulator, hang);
    renewNow(world);

    // The server would answer (with a good token) after 15 s; the broker
    // gives up after 2 s. Waiting for the server would mean no failure at
    // all, so the failure line itself says the broker gave up first.
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("; attempt 1, next try ", 60s), world.daemon->log());
    const auto retries = retryLines(world.daemon->log(), "svc");
    BOOST_REQUIRE_EQUAL(retries.size(), 1u);
    const std::string lowered = Poco::toLower(retries[0].line);
    BOOST_TEST((contains(lowered, "timeout") || contains(lowered, "timed out")), retries[0].line);
    BOOST_TEST(contains(retries[0].line, "svc: failed: JWT token exchange failed (temporary, retryable): "));
    before.expectUntouched(world);

    BOOST_TEST_REQUIRE(world.waitForRenewals(2, 60s), world.daemon->log());
    expectNewToken(world, before);
    // The retry reached the server while it still held the abandoned
    // request's answer (both times are the emulator's).
    const auto times = requestTimes(*world.emulator, kTokenPath);
    BOOST_REQUIRE_EQUAL(times.size(), 3u);  // first token, the hung one, the retry
    BOOST_TEST(times[2] < times[1] + hang.delayMs, "the retry waited for the hung answer");
    // The emulator still sleeps on the abandoned request: do not wait for it.
    world.emulator->process().kill();
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_is_retried)
{
    Fault drop;
    drop.drop = true;
    drop.count = 2;
    expectRetriedThenRecovered(drop, "JWT token exchange failed (temporary, retryable): ");
}

BOOST_AUTO_TEST_CASE(a_5xx_with_a_malformed_body_is_retried)
{
    Fault gateway;
    gateway.status = 502;
    gateway.body = "<html><body>Bad Gateway</body></html>";
    gateway.count = 2;
    expectRetriedThenRecovered(gateway, "JWT token exchange failed (temporary, retryable): HTTP 502 with a body that is not a JSON object");
}

BOOST_AUTO_TEST_CASE(a_200_without_an_access_token_is_an_error_and_never_published)
{
    Fault tokenless;
    tokenless.status = 200;
    tokenless.body = R"({"token_type":"Bearer","expires_in":4102444800})";
    tokenless.count = 2;
    expectRetriedThenRecovered(tokenless, "JWT token exchange failed (temporary, retryable): answer without an access_token");
}

BOOST_AUTO_TEST_CASE(a_200_with_an_empty_access_token_is_an_error_and_never_published)
{
    Fault empty;
    empty.status = 200;
    empty.body = R"({"access_token":"","token_type":"Bearer","expires_in":4102444800})";
    empty.count = 2;
    expectRetriedThenRecovered(empty, "JWT token exchange failed (temporary, retryable): answer without an access_token");
}

BOOST_AUTO_TEST_CASE(a_200_with_code_5000_is_retried)
{
    Fault busy;
    busy.status = 200;
    busy.body = R"({"code":5000,"msg":"internal error, try again"})";
    busy.count = 2;
    expectRetriedThenRecovered(busy, "JWT token exchange failed (temporary, retryable): server answered code 5000");
}

// Something between us and the server (a proxy, a portal, a cut
// connection) rather than the server's verdict: retried, never parked.

BOOST_AUTO_TEST_CASE(a_200_with_a_truncated_body_is_retried)
{
    Fault malformed;
    malformed.status = 200;
    malformed.body = R"({"access_token":"czs_half)";
    malformed.count = 2;
    expectRetriedThenRecovered(malformed, "JWT token exchange failed (temporary, retryable): HTTP 200 with a body that is not a JSON object");
}

BOOST_AUTO_TEST_CASE(a_200_with_an_empty_body_is_retried)
{
    Fault empty;
    empty.status = 200;
    empty.body = "";
    empty.count = 2;
    expectRetriedThenRecovered(empty, "JWT token exchange failed (temporary, retryable): HTTP 200 with a body that is not a JSON object");
}

BOOST_AUTO_TEST_CASE(a_200_html_proxy_page_is_retried)
{
    Fault proxy;
    proxy.status = 200;
    proxy.body = "<html><head><title>Corporate proxy</title></head><body>Please sign in</body></html>";
    proxy.headers = {{"Content-Type", "text/html"}};
    proxy.count = 2;
    expectRetriedThenRecovered(proxy, "JWT token exchange failed (temporary, retryable): HTTP 200 with a body that is not a JSON object");
}

BOOST_AUTO_TEST_CASE(a_200_json_array_is_retried)
{
    Fault array;
    array.status = 200;
    array.body = R"([{"access_token":"czs_in_an_array","expires_in":4102444800}])";
    array.count = 2;
    expectRetriedThenRecovered(array, "JWT token exchange failed (temporary, retryable): HTTP 200 with a body that is not a JSON object");
}

BOOST_AUTO_TEST_CASE(a_302_to_a_login_portal_is_retried)
{
    Fault portal;
    portal.status = 302;
    portal.body = "";
    portal.headers = {{"Location", "http://portal.example/login"}};
    portal.count = 2;
    expectRetriedThenRecovered(portal, "JWT token exchange failed (temporary, retryable): HTTP 302 redirect to "
                                       "http://portal.example/login instead of an answer (a proxy?)");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(HostileTokenAnswers)

// A 200 whose token or expiry cannot be right: refused with what was
// received, never written, retried until the server answers sanely.

Fault answering(const std::string& accessToken, const std::string& expiresIn)
{
    Fault fault;
    fault.status = 200;
    fault.body = R"({"access_token":)" + accessToken + R"(,"token_type":"Bearer","expires_in":)" + expiresIn + "}";
    fault.count = 2;
    return fault;
}

const std::string kRetryable = "JWT token exchange failed (temporary, retryable): ";

BOOST_AUTO_TEST_CASE(an_expiry_of_1e16_is_refused_as_ten_years_ahead)
{
    // Seconds since 1970 that land in the year 316889355: once a busy loop
    // and a next refresh in year -26912.
    expectRetriedThenRecovered(answering(R"("czs_far")", "10000000000000000"),
                               kRetryable + "answer with expires_in 10000000000000000, more than ten years ahead");
}

BOOST_AUTO_TEST_CASE(an_expiry_of_int64_max_is_refused_as_ten_years_ahead)
{
    expectRetriedThenRecovered(answering(R"("czs_far")", "9223372036854775807"),
                               kRetryable + "answer with expires_in 9223372036854775807, more than ten years ahead");
}

BOOST_AUTO_TEST_CASE(an_expiry_beyond_int64_is_refused_with_what_was_received)
{
    expectRetriedThenRecovered(answering(R"("czs_far")", "18446744073709551615"),
                               kRetryable + "answer with expires_in 18446744073709551615, beyond any clock");
}

BOOST_AUTO_TEST_CASE(a_fractional_expiry_is_refused_with_what_was_received)
{
    expectRetriedThenRecovered(answering(R"("czs_frac")", "1e16"),
                               kRetryable + "answer with expires_in 1e+16, not a whole number of seconds");
}

BOOST_AUTO_TEST_CASE(an_expiry_already_past_is_refused)
{
    // 2001-09-09: an absolute time, long gone.
    expectRetriedThenRecovered(answering(R"("czs_past")", "1000000000"),
                               kRetryable + "answer with expires_in 1000000000, a time already past");
}

BOOST_AUTO_TEST_CASE(a_token_with_a_newline_is_never_written)
{
    // It would add a line to an env file: COZE_API_TOKEN=x then EVIL=1.
    expectRetriedThenRecovered(answering(R"("czs_x\nEVIL=1")", "1999999999"),
                               "refused the token the jwt flow returned: the access token has a newline at offset 5, "
                               "which a bearer token may not contain; nothing was written");
}

BOOST_AUTO_TEST_CASE(a_token_with_a_quote_is_never_written)
{
    expectRetriedThenRecovered(answering(R"("czs_x\"; rm -rf /")", "1999999999"),
                               "refused the token the jwt flow returned: the access token has a quote at offset 5, "
                               "which a bearer token may not contain; nothing was written");
}

BOOST_AUTO_TEST_CASE(a_token_of_100_kib_is_never_written)
{
    // Within the 1 MiB an answer may have, beyond what any token needs.
    expectRetriedThenRecovered(answering("\"czs_" + std::string(100 * 1024, 'A') + "\"", "1999999999"),
                               "refused the token the jwt flow returned: the access token has 102404 bytes, more than "
                               "the 16384 a token may have; nothing was written");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(FatalFaults)

BOOST_AUTO_TEST_CASE(a_200_with_a_non_zero_code_is_an_error_and_never_published)
{
    Fault rejected;
    rejected.status = 200;
    rejected.body = R"({"code":4100,"msg":"authentication is invalid","access_token":"czs_not_this_one","expires_in":4102444800})";
    expectParkedUntilAsked(rejected, "JWT token exchange rejected: server answered code 4100: authentication is invalid");
}

BOOST_AUTO_TEST_SUITE_END()
