// After login the broker lives on refresh tokens the server rotates on every
// use: each refresh must present the newest one and store its successor; a
// revoked one means the profile needs a new login, and the daemon says so
// without giving up on the other profiles.

#include <boost/test/unit_test.hpp>

#include "FileLock.h"
#include "OAuthWorld.h"
#include "TextMatch.h"
#include "RecordedRequests.h"
#include "StatusTable.h"

#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/URI.h>

#include <functional>
#include <thread>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth;
using namespace std::chrono_literals;

namespace {

std::size_t occurrences(const std::string& text, const std::string& part)
{
    std::size_t count = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++count;
    return count;
}

/// Waits until the daemon's log (stderr) holds `text` at least `count` times.
bool waitForLogCount(ChildProcess& daemon, const std::string& text, std::size_t count, std::chrono::seconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (occurrences(daemon.err(), text) < count)
    {
        if (!daemon.running() || std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

/// Polls `condition` until it holds; false if it still does not after `timeout`.
bool waitFor(const std::function<bool()>& condition, std::chrono::seconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition())
    {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

/// The daemon's GET /v1/profiles entry for `name` on its admin endpoint
/// `baseUrl` (http://HOST:PORT); null when it lists no such profile.
Poco::JSON::Object::Ptr daemonProfile(const std::string& baseUrl, const std::string& name)
{
    const Poco::URI uri(baseUrl);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/v1/profiles", Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    const HttpResult answer = receiveResult(session);
    BOOST_TEST_REQUIRE(answer.status == 200, answer.body);
    const auto list = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < list->size(); ++i)
    {
        Poco::JSON::Object::Ptr view = list->getObject(static_cast<unsigned>(i));
        if (view->getValue<std::string>("name") == name)
            return view;
    }
    return nullptr;
}

/// Holds the profile's broker lock (state_dir/NAME.lock) like another broker
/// process would (the broker's own FileLock), so the state cannot change
/// while the test looks at it.
using ProfileLock = TokenBroker::FileLock;

} // namespace

BOOST_AUTO_TEST_SUITE(refresh_rotation)

BOOST_AUTO_TEST_CASE(once_without_a_login_asks_for_one)
{
    OAuthWorld world;
    world.writeConfig(world.pkceProfile("app"));
    RunResult once = world.broker({"once", "app"});
    BOOST_TEST(once.status == 1);
    BOOST_TEST(contains(once.err, "app: failed: no refresh token stored yet; run: tokenbroker login app"), once.err);
    BOOST_TEST(recordedRequests(world.emulator()).empty(), "nothing to ask the server without a refresh token");
}

BOOST_AUTO_TEST_CASE(each_refresh_presents_the_newest_token_and_stores_its_successor)
{
    OAuthWorld world;
    world.writeConfig(world.pkceProfile("app"));
    world.login("app");
    std::vector<std::string> stored = {world.storedRefreshToken("app")};
    std::vector<std::string> published = {world.publishedToken("app")};
    for (int i = 0; i < 3; ++i)
    {
        RunResult once = world.broker({"once", "app"});
        BOOST_TEST_REQUIRE(once.status == 0, once.err);
        stored.push_back(world.storedRefreshToken("app"));
        published.push_back(world.publishedToken("app"));
        BOOST_TEST(stored.back() != stored[stored.size() - 2]);
        BOOST_TEST(published.back() != published[published.size() - 2]);
        BOOST_TEST(world.serverAccepts(published.back()));
        BOOST_TEST(world.state("app")->getObject("token")->getValue<std::string>("access_token") == published.back());
    }
    // Refresh i presented exactly the token stored after step i-1.
    std::vector<std::string> presented = presentedRefreshTokens(world.emulator());
    BOOST_TEST(presented == std::vector<std::string>(stored.begin(), stored.end() - 1),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(web_refresh_authenticates_with_the_client_secret)
{
    OAuthWorld world;
    world.writeConfig(world.webProfile("web"));
    world.login("web");
    RunResult once = world.broker({"once", "web"});
    BOOST_TEST_REQUIRE(once.status == 0, once.err);
    auto refreshes = tokenRequests(world.emulator(), "refresh_token");
    BOOST_TEST_REQUIRE(refreshes.size() == 1u);
    BOOST_TEST(refreshes[0].authorization == "Bearer " + kWebSecret);
    BOOST_TEST(refreshes[0].bodyString("client_id") == kWebClient);
}

BOOST_AUTO_TEST_CASE(a_revoked_refresh_token_needs_login_and_keeps_the_state_file)
{
    OAuthWorld world;
    world.writeConfig(world.deviceProfile("dev"));
    world.login("dev");
    const std::string revoked = world.storedRefreshToken("dev");
    const std::string identity = world.state("dev")->getValue<std::string>("identity");
    world.emulator().revoke(revoked);

    RunResult once = world.broker({"once", "dev"});
    BOOST_TEST(once.status == 1);
    BOOST_TEST(contains(once.err, "the refresh token is no longer valid, run: tokenbroker login dev"), once.err);
    BOOST_TEST_REQUIRE(Poco::File(world.statePath("dev")).exists(), "the state file must not be deleted");
    BOOST_TEST(world.state("dev")->getValue<std::string>("identity") == identity);
    BOOST_TEST(world.storedRefreshToken("dev") == revoked);

    // A new login repairs it.
    world.login("dev");
    BOOST_TEST(world.storedRefreshToken("dev") != revoked);
    RunResult again = world.broker({"once", "dev"});
    BOOST_TEST(again.status == 0, again.err);
}

BOOST_AUTO_TEST_CASE(daemon_marks_a_revoked_profile_needs_login_keeps_renewing_the_others_and_takes_a_new_login)
{
    // 4 s access tokens: the daemon renews each profile about every 3 s.
    EmulatorSettings settings;
    settings.accessTtl = 4;
    OAuthWorld world(settings);
    const std::string admin = "127.0.0.1:" + std::to_string(freeLoopbackPort());
    world.writeConfig(world.pkceProfile("alpha") + world.webProfile("beta"), admin);
    world.login("alpha");
    world.login("beta");

    auto daemon = world.startBroker({"run"});
    BOOST_TEST_REQUIRE(daemon->waitForOutput("beta: ok", 20s, true), daemon->err());
    {
        // Under alpha's lock its refresh token cannot rotate between reading
        // and revoking it.
        ProfileLock lock(world.stateDir() + "/alpha.lock");
        world.emulator().revoke(world.storedRefreshToken("alpha"));
    }
    BOOST_TEST_REQUIRE(daemon->waitForOutput("run: tokenbroker login alpha", 20s, true), daemon->err());
    const std::string atNeedsLogin = daemon->err();
    BOOST_TEST(contains(atNeedsLogin, "the refresh token is no longer valid"), atNeedsLogin);

    // beta goes on being renewed; alpha is not retried with a dead token.
    auto refreshesOf = [&](const std::string& clientId) {
        std::size_t count = 0;
        for (const auto& request : tokenRequests(world.emulator(), "refresh_token"))
            count += request.bodyString("client_id") == clientId;
        return count;
    };
    const std::size_t betaRenewals = occurrences(atNeedsLogin, "beta: ok");
    const std::size_t alphaBefore = refreshesOf(kPkceClient);
    const std::size_t betaBefore = refreshesOf(kWebClient);
    // The daemon parks alpha: nothing is scheduled for it.
    const Poco::JSON::Object::Ptr parked = daemonProfile("http://" + admin, "alpha");
    BOOST_TEST_REQUIRE(parked);
    BOOST_TEST(parked->getValue<std::string>("status") == "needs_login");
    BOOST_TEST(parked->get("next_refresh").isEmpty(), "alpha has a next refresh with a dead token");
    // Two more of beta's renewals, logged and seen by the server: time in
    // which a backoff retry of alpha would have been sent (min_backoff 1 s).
    BOOST_TEST_REQUIRE(waitForLogCount(*daemon, "beta: ok", betaRenewals + 2, 120s), daemon->err());
    BOOST_TEST_REQUIRE(waitFor([&] { return refreshesOf(kWebClient) >= betaBefore + 2; }, 120s), daemon->err());
    const std::string later = daemon->err();
    BOOST_TEST(occurrences(later, "run: tokenbroker login alpha") == 1u, later);
    BOOST_TEST(refreshesOf(kPkceClient) == alphaBefore);
    BOOST_TEST(daemonProfile("http://" + admin, "alpha")->get("next_refresh").isEmpty());
    BOOST_TEST(world.serverAccepts(world.publishedToken("beta")));
    BOOST_TEST(Poco::File(world.statePath("alpha")).exists());

    RunResult status = world.broker({"status"});
    BOOST_TEST(status.status == 1, status.out + status.err);
    const auto alpha = statusRow(status.out, "alpha");
    BOOST_TEST(alpha.at("FLOW") == "pkce");
    BOOST_TEST(alpha.at("STATE") == "needs_login");
    BOOST_TEST(alpha.at("NOTE") == "run: tokenbroker login alpha");
    BOOST_TEST(statusRow(status.out, "beta").at("STATE") == "ready", status.out);

    // A login while the daemon runs: the daemon takes the new refresh token
    // up at once, without a restart.
    const std::size_t alphaRenewals = occurrences(daemon->err(), "alpha: ok");
    world.login("alpha");
    BOOST_TEST(waitForLogCount(*daemon, "alpha: ok", alphaRenewals + 1, 20s), daemon->err());
    RunResult healed = world.broker({"status"});
    BOOST_TEST(healed.status == 0, healed.out + healed.err);
    BOOST_TEST(statusRow(healed.out, "alpha").at("STATE") == "ready", healed.out);
    BOOST_TEST(world.serverAccepts(world.publishedToken("alpha")));

    daemon->requestStop();
    BOOST_TEST((daemon->wait(20s) == std::optional<int>(0)));
}

BOOST_AUTO_TEST_SUITE_END()
