#define BOOST_TEST_MODULE DaemonLoginTest
#include <boost/test/unit_test.hpp>

// A headless service bootstrapped without a shell: the daemon runs a
// device-code login itself (POST /v1/profiles/NAME/login, or
// broker.device_login: auto), shows the code in /v1/profiles and the log,
// polls, stores the refresh token and renews on schedule from then on.

#include "DaemonAdmin.h"
#include "EngineTestSupport.h"
#include "OAuthWorld.h"
#include "TextMatch.h"

#include <Poco/File.h>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(a_device_profile_is_logged_in_by_the_daemon_on_request)
{
    OAuthWorld world;
    world.writeConfig(world.deviceProfile("dev"), "127.0.0.1:0");
    DaemonAdmin daemon(world);
    BOOST_TEST_REQUIRE(Engine::waitUntil([&] { return daemon.status("dev") == "needs_login"; }, 20s), daemon.log());
    BOOST_TEST(!daemon.profile("dev")->has("login"), "no login until one is asked for (device_login: manual)");

    const HttpResult anonymous = daemon.post("/v1/profiles/dev/login", false);
    BOOST_TEST(anonymous.status == 401);
    BOOST_TEST(!daemon.profile("dev")->has("login"));

    const HttpResult started = daemon.post("/v1/profiles/dev/login");
    BOOST_TEST_REQUIRE(started.status == 202, started.body);
    const std::string code = daemon.waitForUserCode("dev", 20s);
    BOOST_TEST_REQUIRE(!code.empty(), daemon.log());
    auto login = daemon.profile("dev")->getObject("login");
    BOOST_TEST(login->getValue<bool>("running"));
    const std::string uri = login->getValue<std::string>("verification_uri");
    BOOST_TEST(uri.rfind("https://", 0) == 0, uri);
    BOOST_TEST(login->getValue<Poco::Int64>("expires_at") > 0);
    BOOST_TEST(contains(daemon.log(), "dev: device login: open " + uri + " and enter the code " + code), daemon.log());
    const HttpResult again = daemon.post("/v1/profiles/dev/login");
    BOOST_TEST(again.status == 202);
    BOOST_TEST(contains(again.body, "already running"), again.body);

    world.emulator().approveDevice(code);
    BOOST_TEST_REQUIRE(Engine::waitUntil([&] { return daemon.status("dev") == "ready"; }, 20s), daemon.log());
    BOOST_TEST(world.serverAccepts(world.publishedToken("dev")));
    BOOST_TEST(!world.storedRefreshToken("dev").empty(), "the refresh token is stored for the renewals");
    auto view = daemon.profile("dev");
    login = view->getObject("login");
    BOOST_TEST(!login->getValue<bool>("running"));
    BOOST_TEST(login->getValue<std::string>("error") == "");
    // No longer parked: renewed on schedule from now on.
    BOOST_TEST(!view->isNull("next_refresh"), daemon.get("/v1/profiles").body);
    const HttpResult notNeeded = daemon.post("/v1/profiles/dev/login");
    BOOST_TEST(notNeeded.status == 409);
    BOOST_TEST(contains(notNeeded.body, "does not need a login"), notNeeded.body);
    BOOST_TEST(daemon.post("/v1/profiles/nosuch/login").status == 404);

    daemon.process().requestStop();
    BOOST_TEST((daemon.process().wait(20s) == std::optional<int>(0)), daemon.log());
}

BOOST_AUTO_TEST_CASE(auto_mode_starts_a_device_login_by_itself_and_browser_flows_need_a_terminal)
{
    OAuthWorld world;
    world.writeConfig(world.deviceProfile("dev") + world.webProfile("site"), "127.0.0.1:0",
                      "  device_login: auto\n");
    DaemonAdmin daemon(world);
    const std::string code = daemon.waitForUserCode("dev", 20s);
    BOOST_TEST_REQUIRE(!code.empty(), daemon.log());
    BOOST_TEST(contains(daemon.log(), "dev: starting a device login"), daemon.log());

    BOOST_TEST_REQUIRE(Engine::waitUntil([&] { return daemon.status("site") == "needs_login"; }, 20s), daemon.log());
    BOOST_TEST(!daemon.profile("site")->has("login"), "auto is for device flows only");
    const HttpResult site = daemon.post("/v1/profiles/site/login");
    BOOST_TEST(site.status == 409);
    BOOST_TEST(contains(site.body, "run tokenbroker login site at a terminal"), site.body);

    world.emulator().approveDevice(code);
    BOOST_TEST_REQUIRE(Engine::waitUntil([&] { return daemon.status("dev") == "ready"; }, 20s), daemon.log());
    BOOST_TEST(world.serverAccepts(world.publishedToken("dev")));
    daemon.process().requestStop();
    BOOST_TEST((daemon.process().wait(20s) == std::optional<int>(0)), daemon.log());
}

BOOST_AUTO_TEST_CASE(a_denied_login_is_shown_and_can_be_started_again)
{
    OAuthWorld world;
    world.writeConfig(world.deviceProfile("dev"), "127.0.0.1:0", "  device_login: auto\n");
    DaemonAdmin daemon(world);
    const std::string first = daemon.waitForUserCode("dev", 20s);
    BOOST_TEST_REQUIRE(!first.empty(), daemon.log());
    world.emulator().approveDevice(first, true);
    BOOST_TEST_REQUIRE(Engine::waitUntil([&] {
                           auto login = daemon.profile("dev")->getObject("login");
                           return !login->getValue<bool>("running") && !login->getValue<std::string>("error").empty();
                       }, 20s),
                       daemon.log());
    BOOST_TEST(daemon.status("dev") == "needs_login");
    BOOST_TEST(contains(daemon.log(), "dev: device login failed: "), daemon.log());

    BOOST_TEST_REQUIRE(daemon.post("/v1/profiles/dev/login").status == 202);
    std::string second;
    BOOST_TEST_REQUIRE(Engine::waitUntil([&] {
                           second = daemon.waitForUserCode("dev", 1s);
                           return !second.empty() && second != first;
                       }, 20s),
                       daemon.log());
    world.emulator().approveDevice(second);
    BOOST_TEST_REQUIRE(Engine::waitUntil([&] { return daemon.status("dev") == "ready"; }, 20s), daemon.log());
}

BOOST_AUTO_TEST_CASE(stopping_the_daemon_ends_a_pending_login_at_once)
{
    OAuthWorld world;
    world.writeConfig(world.deviceProfile("dev"), "127.0.0.1:0", "  device_login: auto\n");
    DaemonAdmin daemon(world);
    BOOST_TEST_REQUIRE(!daemon.waitForUserCode("dev", 20s).empty(), daemon.log());
    daemon.process().requestStop();
    // Nobody approves: only the stop can end the poll, well within the
    // code's 300 s.
    BOOST_TEST((daemon.process().wait(15s) == std::optional<int>(0)), daemon.log());
    BOOST_TEST(!Poco::File(world.outputPath("dev")).exists());
}
