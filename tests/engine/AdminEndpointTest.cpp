#define BOOST_TEST_MODULE AdminEndpointTest
#include <boost/test/unit_test.hpp>

// The admin endpoint and `tokenbroker status` as monitoring uses them:
// liveness, readiness that follows whether every profile holds a valid
// token, Prometheus metrics, a profile list without secrets, POSTs that need
// the admin token, a Host check against DNS rebinding, bounded connections,
// and a renewal on request.

#include "EngineTestSupport.h"
#include "StatusTable.h"

#include <Poco/File.h>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

const std::string kReadyMetric = "tokenbroker_profile_ready{profile=\"svc\"} ";

std::string withoutNewline(std::string text)
{
    while (!text.empty() && text.back() == '\n')
        text.pop_back();
    return text;
}

/// No page of the endpoint may contain the token.
void expectNoTokenAnywhere(DaemonProcess& daemon, const std::string& token)
{
    for (const char* path : {"/v1/profiles", "/metrics", "/", "/readyz", "/healthz"})
    {
        const HttpResult page = daemon.admin("GET", path);
        BOOST_TEST_CONTEXT(path)
        {
            BOOST_TEST(page.status != 404);
            BOOST_TEST(!contains(page.body, token));
            BOOST_TEST(!contains(page.body, token.substr(4, 24)), "part of the token");
        }
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(health_readiness_metrics_profiles_and_renewal_on_request)
{
    auto emulator = startEmulator();
    // The first exchange takes 3 s: long enough to see "not ready".
    Fault slow;
    slow.delayMs = 3000;
    addFault(*emulator, slow);
    BrokerConfig config;
    config.write({config.jwtProfile("svc", *emulator)});
    DaemonProcess daemon(config);

    const std::string url = daemon.adminUrl();
    BOOST_TEST(url.rfind("http://127.0.0.1:", 0) == 0, url);
    BOOST_TEST(url != "http://127.0.0.1:0", "a free port is picked");
    const HttpResult health = daemon.admin("GET", "/healthz");
    BOOST_TEST(health.status == 200);
    const HttpResult notReady = daemon.admin("GET", "/readyz");
    BOOST_TEST(notReady.status == 503, "ready before any token was obtained");
    BOOST_TEST(contains(daemon.admin("GET", "/metrics").body, kReadyMetric + "0"));
    BOOST_TEST(fileState(config.tokenFile("svc")).exists == false);

    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile("svc")).exists; }, 15s), daemon.log());
    BOOST_TEST_REQUIRE(waitUntil([&] { return daemon.admin("GET", "/readyz").status == 200; }, 5s));
    const std::string metrics = daemon.admin("GET", "/metrics").body;
    BOOST_TEST(contains(metrics, "# TYPE tokenbroker_profile_ready gauge"), metrics);
    BOOST_TEST(contains(metrics, kReadyMetric + "1\n"), metrics);
    BOOST_TEST(contains(metrics, "tokenbroker_refresh_total{profile=\"svc\",result=\"ok\"} 1\n"), metrics);

    const std::string token = withoutNewline(readFile(config.tokenFile("svc")));
    BOOST_TEST_REQUIRE(token.size() > 30u);
    auto view = profileView(daemon, "svc");
    BOOST_REQUIRE(view);
    BOOST_TEST(view->getValue<std::string>("status") == "ready");
    BOOST_TEST(view->getValue<std::string>("state") == "ready");
    BOOST_TEST(view->getValue<std::string>("flow") == "jwt");
    BOOST_TEST(view->getValue<Poco::Int64>("expires_at") > 0);
    expectNoTokenAnywhere(daemon, token);

    // POSTs need the admin token, so neither a web page nor another local
    // user can make the daemon act.
    const HttpResult anonymous = daemon.admin("POST", "/v1/profiles/svc/refresh");
    BOOST_TEST(anonymous.status == 401);
    BOOST_TEST(anonymous.reason == "Unauthorized");
    BOOST_TEST(anonymous.header("WWW-Authenticate") == "Bearer realm=\"tokenbroker\"");
    BOOST_TEST(daemon.admin("POST", "/v1/profiles/svc/refresh", {{"Authorization", "Bearer " + std::string(64, '0')}})
                   .status == 401);
    BOOST_TEST(daemon.admin("POST", "/v1/profiles/svc/refresh", {{"X-Tokenbroker", "1"}}).status == 401,
               "the old header admits nothing");
    BOOST_TEST(readFile(config.tokenFile("svc")) == token + "\n");
    BOOST_TEST(daemon.adminPost("/v1/profiles/nosuch/refresh").status == 404);

    // A renewal held for 2 s by the server shows as `refreshing`.
    Fault slowRenewal;
    slowRenewal.delayMs = 2000;
    addFault(*emulator, slowRenewal);
    const HttpResult renew = daemon.adminPost("/v1/profiles/svc/refresh");
    BOOST_TEST(renew.status == 202, renew.body);
    BOOST_TEST(waitUntil([&] {
                   auto during = profileView(daemon, "svc");
                   return during && during->getValue<std::string>("state") == "refreshing";
               }, 5s));
    BOOST_TEST_REQUIRE(waitUntil([&] { return withoutNewline(readFile(config.tokenFile("svc"))) != token; }, 10s),
                       daemon.log());
    const std::string renewed = withoutNewline(readFile(config.tokenFile("svc")));
    BOOST_TEST(renewed.rfind("czs_", 0) == 0, renewed);
    BOOST_TEST_REQUIRE(waitUntil([&] { return contains(daemon.admin("GET", "/metrics").body,
                                                       "tokenbroker_refresh_total{profile=\"svc\",result=\"ok\"} 2\n"); },
                                 5s));
    expectNoTokenAnywhere(daemon, renewed);
    BOOST_TEST(!contains(daemon.log(), token));
    BOOST_TEST(!contains(daemon.log(), renewed));

    // The endpoint's address is where `status` finds it.
    RunResult status = broker({"status", "-c", config.path});
    BOOST_TEST(status.status == 0, status.out << status.err);
    const auto table = statusTable(status.out);
    BOOST_TEST_REQUIRE(table.size() == 1u, status.out);
    BOOST_TEST(table[0].at("PROFILE") == "svc");
    BOOST_TEST(table[0].at("FLOW") == "jwt");
    BOOST_TEST(table[0].at("STATE") == "ready");
    BOOST_TEST(table[0].at("EXPIRES").rfind("20", 0) == 0, status.out);
    BOOST_TEST(!contains(status.out, renewed));
}

BOOST_AUTO_TEST_CASE(profiles_page_and_check_show_each_plugins_facts_and_no_secret)
{
    auto emulator = startEmulator();
    BrokerConfig config;
    const std::string pat = "pat_literal_never_shown";
    const std::string webSecret = "web_secret_never_shown";
    // A web profile nobody has logged in to: it needs no server to be
    // described.
    const std::string web = "  user:\n"
                            "    flow: web\n"
                            "    base_url: " + emulator->baseUrl() + "\n"
                            "    ca_file: " + emulator->caFile() + "\n"
                            "    client_id: web-app\n"
                            "    client_secret: " + webSecret + "\n"
                            "    redirect_uri: http://127.0.0.1:8080/cb\n"
                            "    outputs:\n"
                            "      - file: out/user.token\n";
    config.write({config.jwtProfile("svc", *emulator), config.patProfile("static", pat), web});
    DaemonProcess daemon(config);
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile("svc")).exists; }, 15s), daemon.log());

    auto svc = profileView(daemon, "svc");
    BOOST_REQUIRE(svc);
    auto facts = svc->getObject("plugin");
    BOOST_REQUIRE(facts);
    BOOST_TEST(facts->getValue<std::string>("client_id") == kClientId);
    BOOST_TEST(facts->getValue<std::string>("public_key_id") == kKeyId);
    BOOST_TEST(facts->getValue<std::string>("key").rfind("RSA-", 0) == 0u, facts->getValue<std::string>("key"));
    auto staticView = profileView(daemon, "static");
    BOOST_REQUIRE(staticView);
    BOOST_REQUIRE(staticView->getObject("plugin"));
    BOOST_TEST(staticView->getObject("plugin")->getValue<bool>("verify") == false);
    auto user = profileView(daemon, "user");
    BOOST_REQUIRE(user);
    BOOST_REQUIRE(user->getObject("plugin"));
    BOOST_TEST(user->getObject("plugin")->getValue<std::string>("client_id") == "web-app");
    BOOST_TEST(user->getObject("plugin")->getValue<std::string>("redirect_uri") == "http://127.0.0.1:8080/cb");

    const std::string page = daemon.admin("GET", "/").body;
    BOOST_TEST(contains(page, "public_key_id: " + std::string(kKeyId)), page);
    BOOST_TEST(contains(page, "redirect_uri: http://127.0.0.1:8080/cb"), page);
    BOOST_TEST(contains(page, "verify: false"), page);

    RunResult check = broker({"check", "--verbose", "-c", config.path});
    BOOST_TEST(check.status == 0, check.err);
    BOOST_TEST(contains(check.out, "svc (flow jwt)\n"), check.out);
    BOOST_TEST(contains(check.out, "  public_key_id: " + std::string(kKeyId) + "\n"), check.out);
    BOOST_TEST(contains(check.out, "user (flow web)\n  client_id: web-app\n"), check.out);

    // No secret of the configuration anywhere: the PAT, the client secret,
    // any line of the private key.
    std::vector<std::string> secrets = {pat, webSecret};
    for (const auto& line : linesWith(readFile(Keys::get().privateKey), ""))
    {
        if (line.size() > 16 && line.rfind("-----", 0) != 0)
            secrets.push_back(line);
    }
    BOOST_TEST_REQUIRE(secrets.size() > 2u, "the private key has lines");
    const std::vector<std::pair<std::string, std::string>> shown = {
        {"/v1/profiles", daemon.admin("GET", "/v1/profiles").body}, {"/", page}, {"check --verbose", check.out + check.err}};
    for (const auto& [where, text] : shown)
    {
        for (const auto& secret : secrets)
            BOOST_TEST(!contains(text, secret), where << " shows a secret");
    }
}

BOOST_AUTO_TEST_CASE(status_prints_a_line_per_profile_and_exits_1_unless_all_are_ready)
{
    auto emulator = startEmulator();
    BrokerConfig config;
    config.write({config.jwtProfile("svc", *emulator),
                  config.patProfile("stale", "pat_stale_token", "    expires_at: \"2020-01-01T00:00:00Z\"\n")});
    DaemonProcess daemon(config);
    BOOST_TEST_REQUIRE(waitUntil([&] { return fileState(config.tokenFile("svc")).exists; }, 15s), daemon.log());
    BOOST_TEST_REQUIRE(daemon.waitForLog("stale: failed: ", 10s), daemon.log());

    RunResult status = broker({"status", "-c", config.path});
    BOOST_TEST(status.status == 1, status.out << status.err);
    BOOST_TEST(statusTable(status.out).size() == 2u, status.out);
    const auto svc = statusRow(status.out, "svc");
    const auto stale = statusRow(status.out, "stale");
    BOOST_TEST(svc.at("FLOW") == "jwt");
    BOOST_TEST(svc.at("STATE") == "ready");
    BOOST_TEST(stale.at("FLOW") == "pat");
    BOOST_TEST(stale.at("STATE") == "failed");
    BOOST_TEST(contains(stale.at("NOTE"), "the token expired at 2020-01-01T00:00:00Z"), status.out);
    BOOST_TEST(!contains(status.out, "pat_stale_token"));
    BOOST_TEST(daemon.admin("GET", "/readyz").status == 503);
    BOOST_TEST(contains(daemon.admin("GET", "/metrics").body, "tokenbroker_profile_ready{profile=\"stale\"} 0\n"));

    // No daemon: status says so and exits 1.
    BOOST_TEST_REQUIRE(daemon.terminate().value_or(-1) == 0);
    RunResult alone = broker({"status", "-c", config.path});
    BOOST_TEST(alone.status == 1, alone.out << alone.err);
    BOOST_TEST(contains(alone.err, "no daemon answered"), alone.err);
}

BOOST_AUTO_TEST_CASE(a_profile_retrying_with_a_still_valid_token_stays_ready)
{
    // /readyz is 200 while every profile holds a valid token (broker.md):
    // a failed renewal with 14 minutes of token left is not an outage.
    JwtDaemon world;
    Fault outage;
    outage.status = 503;
    outage.count = 1000;
    addFault(*world.emulator, outage);
    BOOST_REQUIRE_EQUAL(world.daemon->adminPost("/v1/profiles/svc/refresh").status, 202);
    BOOST_TEST_REQUIRE(world.daemon->waitForLog("; attempt 1, next try ", 10s), world.daemon->log());

    BOOST_TEST(profileStatus(*world.daemon, "svc") == "retrying");
    BOOST_TEST(world.daemon->admin("GET", "/readyz").status == 200);
    BOOST_TEST(contains(world.daemon->admin("GET", "/metrics").body, kReadyMetric + "1\n"));
    BOOST_TEST(contains(world.daemon->admin("GET", "/metrics").body, "tokenbroker_consecutive_failures{profile=\"svc\"} "));
    BOOST_TEST(fileState(world.tokenFile()).exists);
}

BOOST_AUTO_TEST_CASE(a_profile_whose_outputs_cannot_take_its_token_is_not_ready)
{
    // The renewal succeeds but its token cannot reach the files (the output
    // directory became a file: as final as a full disk, even for root), so
    // programs read an older token: not ready, and the metrics say why.
    JwtDaemon world;
    const std::string out = world.config.outDir();
    BOOST_TEST(world.daemon->admin("GET", "/readyz").status == 200);
    BOOST_TEST(contains(world.daemon->admin("GET", "/metrics").body,
                        "tokenbroker_profile_outputs_current{profile=\"svc\"} 1\n"));
    const std::string published = fileState(world.tokenFile()).content;
    Poco::File(out).renameTo(out + ".moved");
    writeFile(out, "not a directory\n");

    BOOST_REQUIRE_EQUAL(world.daemon->adminPost("/v1/profiles/svc/refresh").status, 202);
    BOOST_TEST_REQUIRE(waitUntil([&] { return world.daemon->admin("GET", "/readyz").status == 503; }, 15s),
                       world.daemon->log());
    const std::string metrics = world.daemon->admin("GET", "/metrics").body;
    BOOST_TEST(contains(metrics, "tokenbroker_profile_outputs_current{profile=\"svc\"} 0\n"), metrics);
    BOOST_TEST(contains(metrics, kReadyMetric + "0\n"), metrics);

    // Once the directory is back the retry publishes and it is ready again.
    Poco::File(out).remove();
    Poco::File(out + ".moved").renameTo(out);
    BOOST_TEST_REQUIRE(waitUntil([&] { return world.daemon->admin("GET", "/readyz").status == 200; }, 15s),
                       world.daemon->log());
    BOOST_TEST(contains(world.daemon->admin("GET", "/metrics").body,
                        "tokenbroker_profile_outputs_current{profile=\"svc\"} 1\n"));
    BOOST_TEST(fileState(world.tokenFile()).content != published, "the new token did not reach the file");
}
