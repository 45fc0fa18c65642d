#define BOOST_TEST_MODULE MetricsTest
#include <boost/test/unit_test.hpp>

// GET /metrics and GET / as monitoring and a person use them: the exposition
// passes promtool, and each family counts what really happened to a real
// daemon (renewals and their durations, on_rotate runs by result, reloads
// that worked and failed, states, expiry absent for a token that never
// expires); the status page shows the daemon's facts and each profile.

#include "EngineTestSupport.h"
#include "TestPlatform.h"

#include <chrono>
#include <fstream>
#include <sstream>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

const std::string kHelper = TOKENBROKER_TEST_HELPER;

double unixNow()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// The value of the sample `series` (NAME or NAME{LABELS} exactly as
/// exposed); nothing when there is no such line.
std::optional<double> sample(const std::string& metrics, const std::string& series)
{
    std::istringstream lines(metrics);
    std::string line;
    while (std::getline(lines, line))
    {
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 && line[series.size()] == ' ')
            return std::stod(line.substr(series.size() + 1));
    }
    return std::nullopt;
}

double value(const std::string& metrics, const std::string& series)
{
    const auto found = sample(metrics, series);
    BOOST_TEST_REQUIRE(found.has_value(), "no sample " << series << " in\n" << metrics);
    return *found;
}

std::string profileSeries(const std::string& name, const std::string& profile, const std::string& more = "")
{
    return name + "{profile=\"" + profile + "\"" + (more.empty() ? "" : "," + more) + "}";
}

/// Two profiles: `svc` (jwt, an on_rotate that succeeds) and `forever` (a pat that never expires, an on_rotate that
/// exits 3).
struct MetricsWorld
{
    MetricsWorld()
        : emulator(startEmulator())
    {
        write();
        daemon = std::make_unique<DaemonProcess>(config);
    }

    void write(const std::string& brokenTail = "")
    {
        config.write({config.jwtProfile("svc", *emulator, helperHookLine(kHelper, {"exit:0"})),
                      config.patProfile("forever", "pat_metrics_0123456789", helperHookLine(kHelper, {"exit:3"}))},
                     kFastRefresh, brokenTail);
    }

    double started = unixNow();
    std::unique_ptr<EmulatorProcess> emulator;
    BrokerConfig config;
    std::unique_ptr<DaemonProcess> daemon;
};

} // namespace

BOOST_AUTO_TEST_CASE(metrics_pass_promtool_and_count_renewals_hooks_reloads_and_states)
{
    MetricsWorld world;
    DaemonProcess& daemon = *world.daemon;
    const std::string okSeries = profileSeries("tokenbroker_refresh_total", "svc", "result=\"ok\"");
    BOOST_TEST_REQUIRE(waitUntil([&] { return contains(daemon.admin("GET", "/metrics").body, okSeries + " 1\n"); }, 20s),
                       daemon.log());
    BOOST_TEST_REQUIRE(daemon.adminPost("/v1/profiles/svc/refresh").status == 202);
    BOOST_TEST_REQUIRE(waitUntil([&] { return contains(daemon.admin("GET", "/metrics").body, okSeries + " 2\n"); }, 20s),
                       daemon.log());
    BOOST_TEST_REQUIRE(daemon.adminPost("/v1/reload").status == 200);
    world.write("bogus_key: 1\n");
    const HttpResult refused = daemon.adminPost("/v1/reload");
    BOOST_TEST_REQUIRE(refused.status == 422, refused.body);

    const double before = unixNow();
    const HttpResult scrape = daemon.admin("GET", "/metrics");
    const double after = unixNow();
    const std::string& metrics = scrape.body;
    BOOST_TEST(scrape.status == 200);
    BOOST_TEST(contains(scrape.header("Content-Type"), "text/plain; version=0.0.4"));

#ifdef TOKENBROKER_PROMTOOL
    // promtool's own parser and lint rules (HELP on every family, counters
    // named *_total, histogram buckets): it exits non-zero on any problem.
    BOOST_TEST_REQUIRE(std::string(TOKENBROKER_PROMTOOL) != "", "promtool is not installed (apt-get install prometheus)");
    ChildProcess::Options check;
    check.args = {"check", "metrics"};
    check.stdinText = metrics;
    const RunResult promtool = run(TOKENBROKER_PROMTOOL, check);
    BOOST_TEST(promtool.status == 0, promtool.out << promtool.err << "\n" << metrics);
    BOOST_TEST(promtool.out + promtool.err == "", "promtool found problems");
#endif

    // Build and process facts.
    // The same version and revision as `tokenbroker --version` prints.
    const RunResult version = broker({"--version"});
    BOOST_TEST_REQUIRE(version.status == 0);
    const std::string printed = version.out;  // "tokenbroker VERSION (REVISION)\n"
    const auto open = printed.find(" ("), close = printed.rfind(')');
    BOOST_TEST_REQUIRE((open != std::string::npos && close != std::string::npos && close > open), printed);
    const std::string versionText = printed.substr(12, open - 12);
    const std::string revisionText = printed.substr(open + 2, close - open - 2);
    BOOST_TEST(!revisionText.empty());
    BOOST_TEST(value(metrics, "tokenbroker_build_info{version=\"" + versionText + "\",revision=\"" + revisionText + "\"}") == 1);
    // The process started after the test began (the kernel's boot time has
    // whole seconds, so up to 1 s earlier) and before the scrape.
    const double processStart = value(metrics, "process_start_time_seconds");
    BOOST_TEST(processStart >= world.started - 1.0, std::fixed << processStart << " vs " << world.started);
    BOOST_TEST(processStart <= after, std::fixed << processStart << " vs " << after);
    BOOST_TEST(value(metrics, "process_resident_memory_bytes") > 1024.0 * 1024);
    // Windows counts handles; wine's GetProcessHandleCount answers 0, which
    // the daemon leaves out rather than report.
    if (onWindows() && !sample(metrics, "process_open_fds"))
        BOOST_TEST_MESSAGE("process_open_fds absent: this Windows does not count handles");
    else
        BOOST_TEST(value(metrics, "process_open_fds") >= 3);

    // Reloads: the unchanged file worked, the one with an unknown key not.
    BOOST_TEST(value(metrics, "tokenbroker_reload_total{result=\"ok\"}") == 1);
    BOOST_TEST(value(metrics, "tokenbroker_reload_total{result=\"failed\"}") == 1);

    for (const std::string profile : {"svc", "forever"})
    {
        BOOST_TEST_CONTEXT(profile)
        {
            // Exactly one state holds, and it is a usable one.
            int held = 0;
            for (const char* state : {"starting", "ready", "refreshing", "retrying", "expired", "needs_login", "failed"})
                held += static_cast<int>(value(metrics, profileSeries("tokenbroker_profile_state", profile,
                                                                      "state=\"" + std::string(state) + "\"")));
            BOOST_TEST(held == 1);
            const double ready = value(metrics, profileSeries("tokenbroker_profile_state", profile, "state=\"ready\""));
            const double refreshing =
                value(metrics, profileSeries("tokenbroker_profile_state", profile, "state=\"refreshing\""));
            BOOST_TEST(ready + refreshing == 1);
        }
    }

    // Expiry: present for the JWT token, absent (not 0) for the pat.
    const double expiry = value(metrics, profileSeries("tokenbroker_token_expiry_timestamp_seconds", "svc"));
    BOOST_TEST(expiry > before);
    BOOST_TEST(!sample(metrics, profileSeries("tokenbroker_token_expiry_timestamp_seconds", "forever")).has_value(),
               metrics);

    // Renewals and their histogram agree: every svc renewal was timed
    // (no stored token at start), buckets only grow, +Inf holds them all.
    const double ok = value(metrics, profileSeries("tokenbroker_refresh_total", "svc", "result=\"ok\""));
    const double errors = value(metrics, profileSeries("tokenbroker_refresh_total", "svc", "result=\"error\""));
    BOOST_TEST(ok == 2);
    const double count = value(metrics, "tokenbroker_refresh_duration_seconds_count{profile=\"svc\"}");
    BOOST_TEST(count == ok + errors);
    double previous = 0;
    for (const char* bound : {"0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "120", "+Inf"})
    {
        const double bucket = value(metrics, "tokenbroker_refresh_duration_seconds_bucket{profile=\"svc\",le=\"" +
                                                 std::string(bound) + "\"}");
        BOOST_TEST(bucket >= previous, bound);
        previous = bucket;
    }
    BOOST_TEST(previous == count);
    const double sum = value(metrics, "tokenbroker_refresh_duration_seconds_sum{profile=\"svc\"}");
    BOOST_TEST(sum > 0);
    BOOST_TEST(sum < (after - world.started) * count);

    const double lastSuccess = value(metrics, profileSeries("tokenbroker_last_success_timestamp_seconds", "svc"));
    BOOST_TEST(lastSuccess >= world.started - 0.001);
    BOOST_TEST(lastSuccess <= after);

    // on_rotate: svc's hook ran after each renewal and succeeded (it runs
    // before the renewal is counted, so it may be one ahead); forever's
    // failed once, for its only token.
    const double hookOk = value(metrics, profileSeries("tokenbroker_hook_runs_total", "svc", "result=\"ok\""));
    BOOST_TEST(hookOk >= ok);
    BOOST_TEST(hookOk <= ok + 1);
    BOOST_TEST(value(metrics, profileSeries("tokenbroker_hook_runs_total", "svc", "result=\"failed\"")) == 0);
    BOOST_TEST(value(metrics, profileSeries("tokenbroker_hook_runs_total", "forever", "result=\"failed\"")) == 1);
    BOOST_TEST(value(metrics, profileSeries("tokenbroker_hook_runs_total", "forever", "result=\"ok\"")) == 0);
    BOOST_TEST(value(metrics, profileSeries("tokenbroker_hook_runs_total", "forever", "result=\"timeout\"")) == 0);
    BOOST_TEST(value(metrics, profileSeries("tokenbroker_hook_runs_total", "forever", "result=\"error\"")) == 0);
}

BOOST_AUTO_TEST_CASE(a_failing_renewal_is_counted_and_shown_as_retrying)
{
    auto emulator = startEmulator();
    BrokerConfig config;
    config.write({config.jwtProfile("svc", *emulator)}, kFastRefresh);
    DaemonProcess daemon(config);
    const std::string ok = profileSeries("tokenbroker_refresh_total", "svc", "result=\"ok\"") + " 1";
    BOOST_TEST_REQUIRE(waitUntil([&] { return contains(daemon.admin("GET", "/metrics").body, ok); }, 20s), daemon.log());
    Fault refused;
    refused.status = 503;
    refused.count = 1000;
    addFault(*emulator, refused);
    BOOST_TEST_REQUIRE(daemon.adminPost("/v1/profiles/svc/refresh").status == 202);
    const std::string retrying = profileSeries("tokenbroker_profile_state", "svc", "state=\"retrying\"") + " 1";
    BOOST_TEST_REQUIRE(waitUntil([&] { return contains(daemon.admin("GET", "/metrics").body, retrying); }, 20s),
                       daemon.log());
    const std::string metrics = daemon.admin("GET", "/metrics").body;
    const double errors = value(metrics, profileSeries("tokenbroker_refresh_total", "svc", "result=\"error\""));
    BOOST_TEST(errors >= 1);
    BOOST_TEST(value(metrics, profileSeries("tokenbroker_consecutive_failures", "svc")) >= 1);
    BOOST_TEST(value(metrics, "tokenbroker_refresh_duration_seconds_count{profile=\"svc\"}") ==
               errors + value(metrics, profileSeries("tokenbroker_refresh_total", "svc", "result=\"ok\"")));
    // Still holding its last good token: usable, so ready for the probe.
    BOOST_TEST(value(metrics, profileSeries("tokenbroker_profile_ready", "svc")) == 1);
}

BOOST_AUTO_TEST_CASE(status_page_shows_version_uptime_config_last_reload_and_each_profile)
{
    MetricsWorld world;
    DaemonProcess& daemon = *world.daemon;
    BOOST_TEST_REQUIRE(waitUntil([&] { return profileStatus(daemon, "svc") == "ready" &&
                                              profileStatus(daemon, "forever") == "ready"; }, 20s),
                       daemon.log());
    std::string page = daemon.admin("GET", "/").body;
    const std::string version = broker({"--version"}).out;  // "tokenbroker VERSION (REVISION)\n"
    BOOST_TEST(contains(page, "<td>" + version.substr(12, version.find(" (") - 12) + "</td>"), page);
    BOOST_TEST(contains(page, world.config.path), page);
    BOOST_TEST(contains(page, "none since the start"), page);
    BOOST_TEST(contains(page, "2 of 2 profiles ready"), page);
    BOOST_TEST(contains(page, "<a href=\"/metrics\">"), page);
    BOOST_TEST(contains(page, "<a href=\"/v1/profiles\">"), page);
    // svc's expiry counts down from its real expiry (read on both sides of
    // the page, so a renewal in between is seen and the page asked again);
    // forever's never comes.
    auto expiresAt = [&] { return profileView(daemon, "svc")->getValue<Poco::Int64>("expires_at"); };
    BOOST_TEST(waitUntil([&] {
                   const auto before = expiresAt();
                   page = daemon.admin("GET", "/").body;
                   return before == expiresAt() && contains(page, "data-expires=\"" + std::to_string(before) + "\"");
               }, 10s),
               page);
    BOOST_TEST(contains(page, "<tr id=\"profile-forever\"><td>forever</td><td>pat</td><td class=\"state ready\">ready"),
               page);
    BOOST_TEST(contains(page, "<td>never</td>"), page);
    BOOST_TEST(!contains(page, "pat_metrics_0123456789"), "the token is not on the page");

    world.write("bogus_key: 1\n");
    BOOST_TEST_REQUIRE(daemon.adminPost("/v1/reload").status == 422);
    page = daemon.admin("GET", "/").body;
    BOOST_TEST(contains(page, "failed: " + world.config.path + ":"), page);
    BOOST_TEST(contains(page, "bogus_key"), page);
    BOOST_TEST(contains(page, "0 ok, 1 failed"), page);
}
