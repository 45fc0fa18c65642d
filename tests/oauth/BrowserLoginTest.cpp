// `tokenbroker login` of web and PKCE profiles against the real emulator:
// the test is the browser. It opens the authorize URL the broker printed
// (HTTPS, trusting only the emulator's CA, redirects not followed), and
// carries the 302's Location to the broker's loopback listener.

#include <boost/test/unit_test.hpp>

#include "LoginUser.h"
#include "TextMatch.h"
#include "OAuthWorld.h"
#include "RecordedRequests.h"

#include <Poco/File.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <regex>
#include <thread>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth;
using namespace std::chrono_literals;

namespace {

std::string formEncoded(const std::string& uri)
{
    std::string result;
    for (char c : uri)
        result += c == ':' ? "%3A" : c == '/' ? "%2F" : std::string(1, c);
    return result;
}

/// A login in progress, up to the moment the browser holds the redirect.
struct BrowserLogin
{
    OAuthWorld world;
    std::unique_ptr<ChildProcess> login;
    std::string authorizeUrl;
    std::string redirect;   ///< where the emulator sends the browser

    explicit BrowserLogin(const std::string& flow, const std::string& extra = "")
    {
        world.writeConfig(flow == "web" ? world.webProfile("app", extra) : world.pkceProfile("app", extra));
        login = world.startLogin("app");
        authorizeUrl = readAuthorizeUrl(*login);
        redirect = authorize(world.emulator(), authorizeUrl);
    }

    int finish()
    {
        auto status = login->wait(30s);
        BOOST_REQUIRE_MESSAGE(status, "login did not end: " + login->out() + login->err());
        return *status;
    }

    /// A forged callback (wrong state) and a stray path are refused and do
    /// not end the login; then the real redirect completes it.
    void deliverAfterForgeries()
    {
        HttpResult forged = browse(withQueryParameter(redirect, "state", "0123456789abcdef0123456789abcdef"));
        BOOST_TEST(forged.status == 400);
        BOOST_TEST(contains(forged.body, "does not belong to the login in progress"), forged.body);
        HttpResult stray = browse("http://127.0.0.1:" + std::to_string(world.redirectPort()) + "/favicon.ico");
        BOOST_TEST(stray.status == 404);
        // Each refusal was answered by the login itself; that it still
        // listens afterwards is shown by the real redirect being accepted.
        BOOST_TEST(login->running(), "a refused callback must not end the login");
        HttpResult landing = browse(redirect);
        BOOST_TEST(landing.status == 200);
        BOOST_TEST(contains(landing.body, "You can close this window"), landing.body);
    }

    RecordedRequest exchange() const
    {
        auto exchanges = tokenRequests(world.emulator(), "authorization_code");
        BOOST_REQUIRE(exchanges.size() == 1u);
        return exchanges.front();
    }

    void expectLoggedIn()
    {
        BOOST_TEST_REQUIRE(finish() == 0, login->err());
        BOOST_TEST(contains(login->out(), "Logged in."), login->out());
        const std::string token = world.publishedToken("app");
        BOOST_TEST(token.rfind("czu_", 0) == 0u, token);
        BOOST_TEST(world.serverAccepts(token));
        BOOST_TEST(world.storedRefreshToken("app").size() >= 16u);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(web_login)

BOOST_AUTO_TEST_CASE(redirect_with_the_right_state_logs_in_with_the_client_secret)
{
    BrowserLogin web("web");
    const std::string state = queryParameter(web.authorizeUrl, "state");
    BOOST_TEST(std::regex_match(state, std::regex("[0-9a-f]{32,}")), state);
    BOOST_TEST(web.authorizeUrl == web.world.emulator().baseUrl() +
                                       "/api/permission/oauth2/authorize?response_type=code&client_id=" + kWebClient +
                                       "&redirect_uri=" + formEncoded(web.world.redirectUri()) + "&state=" + state);
    BOOST_TEST(web.redirect.rfind(web.world.redirectUri() + "?code=", 0) == 0u, web.redirect);
    BOOST_TEST(queryParameter(web.redirect, "state") == state);

    web.deliverAfterForgeries();
    web.expectLoggedIn();

    RecordedRequest exchange = web.exchange();
    BOOST_TEST(exchange.authorization == "Bearer " + kWebSecret);
    BOOST_TEST(exchange.bodyString("client_id") == kWebClient);
    BOOST_TEST(exchange.bodyString("redirect_uri") == web.world.redirectUri());
    BOOST_TEST(exchange.bodyString("code") == queryParameter(web.redirect, "code"));
    BOOST_TEST(!exchange.body->has("code_verifier"));
    BOOST_TEST(web.world.state("app")->getValue<std::string>("identity") ==
               "web|" + kWebClient + "|" + web.world.emulator().baseUrl());
}

BOOST_AUTO_TEST_CASE(authorization_refused_in_the_browser_ends_the_login_with_exit_1)
{
    BrowserLogin web("web");
    std::string refused = web.world.redirectUri() + "?error=access_denied&error_description=user+said+no&state=" +
                          queryParameter(web.authorizeUrl, "state");
    HttpResult landing = browse(refused);
    BOOST_TEST(landing.status == 200);
    BOOST_TEST(contains(landing.body, "refused"), landing.body);
    BOOST_TEST(web.finish() == 1);
    BOOST_TEST(contains(web.login->err(), "app: login failed: the authorisation was refused: access_denied (user said no)"),
               web.login->err());
    BOOST_TEST(tokenRequests(web.world.emulator(), "authorization_code").empty());
    BOOST_TEST(!Poco::File(web.world.outputPath("app")).exists());
    BOOST_TEST(!Poco::File(web.world.statePath("app")).exists());
}

BOOST_AUTO_TEST_CASE(workspace_id_uses_the_workspace_authorize_path)
{
    BrowserLogin web("web", "workspace_id: ws-9\n");
    BOOST_TEST(web.authorizeUrl.rfind(web.world.emulator().baseUrl() +
                                          "/api/permission/oauth2/workspace_id/ws-9/authorize?response_type=code&",
                                      0) == 0u,
               web.authorizeUrl);
    BOOST_TEST(browse(web.redirect).status == 200);
    web.expectLoggedIn();
}

BOOST_AUTO_TEST_CASE(a_taken_port_fails_at_once_naming_the_port)
{
    OAuthWorld world;
    world.writeConfig(world.webProfile("app"));
    Poco::Net::ServerSocket squatter(Poco::Net::SocketAddress("127.0.0.1", world.redirectPort()));
    const auto started = std::chrono::steady_clock::now();
    RunResult login = world.broker({"login", "app", "--no-browser"}, 20s);
    BOOST_TEST(login.status == 1, login.out + login.err);
    BOOST_TEST((std::chrono::steady_clock::now() - started < 5s));
    BOOST_TEST(contains(login.err, "cannot listen on 127.0.0.1:" + std::to_string(world.redirectPort())), login.err);
    BOOST_TEST(contains(login.err, "is another program using the port?"), login.err);
    BOOST_TEST(!contains(login.out, "open this URL"), "the user must not be sent to a browser that cannot come back");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pkce_login)

BOOST_AUTO_TEST_CASE(s256_challenge_matches_the_verifier_sent_in_the_exchange)
{
    BrowserLogin pkce("pkce");
    const std::string challenge = queryParameter(pkce.authorizeUrl, "code_challenge");
    BOOST_TEST(queryParameter(pkce.authorizeUrl, "code_challenge_method") == "S256");
    BOOST_TEST(contains(pkce.authorizeUrl, "&state=" + queryParameter(pkce.authorizeUrl, "state") +
                                               "&code_challenge=" + challenge + "&code_challenge_method=S256"),
               pkce.authorizeUrl);

    pkce.deliverAfterForgeries();
    pkce.expectLoggedIn();

    RecordedRequest exchange = pkce.exchange();
    const std::string verifier = exchange.bodyString("code_verifier");
    // RFC 7636 §4.1: 43..128 unreserved characters.
    BOOST_TEST(std::regex_match(verifier, std::regex("[A-Za-z0-9._~-]{43,128}")), verifier);
    BOOST_TEST(s256(verifier) == challenge);
    BOOST_TEST((exchange.authorization.empty() || exchange.authorization == "Bearer" ||
                exchange.authorization == "Bearer "),
               "a public client sends no credential: " << exchange.authorization);
    BOOST_TEST(exchange.bodyString("client_id") == kPkceClient);
    BOOST_TEST(exchange.bodyString("redirect_uri") == pkce.world.redirectUri());
}

BOOST_AUTO_TEST_CASE(plain_method_sends_the_verifier_as_the_challenge)
{
    BrowserLogin pkce("pkce", "code_challenge_method: plain\n");
    BOOST_TEST(queryParameter(pkce.authorizeUrl, "code_challenge_method") == "plain");
    BOOST_TEST(browse(pkce.redirect).status == 200);
    pkce.expectLoggedIn();
    RecordedRequest exchange = pkce.exchange();
    BOOST_TEST(exchange.bodyString("code_verifier").size() >= 43u);
    BOOST_TEST(exchange.bodyString("code_verifier") == queryParameter(pkce.authorizeUrl, "code_challenge"));
}

BOOST_AUTO_TEST_CASE(every_login_uses_a_fresh_state_and_verifier)
{
    BrowserLogin pkce("pkce");
    BOOST_TEST(browse(pkce.redirect).status == 200);
    pkce.expectLoggedIn();
    auto second = pkce.world.startLogin("app");
    const std::string url = readAuthorizeUrl(*second);
    BOOST_TEST(queryParameter(url, "state") != queryParameter(pkce.authorizeUrl, "state"));
    BOOST_TEST(queryParameter(url, "code_challenge") != queryParameter(pkce.authorizeUrl, "code_challenge"));
    // The first login's redirect, replayed, is not this login's.
    BOOST_TEST(browse(pkce.redirect).status == 400);
    BOOST_TEST(browse(authorize(pkce.world.emulator(), url)).status == 200);
    BOOST_TEST((second->wait(30s) == std::optional<int>(0)), second->err());
}

BOOST_AUTO_TEST_SUITE_END()
