// The grants a person authorises once, authorization_code + PKCE and
// device_code, through `tokenbroker login` against oidc-provider, then
// renewed by refresh tokens that the server rotates and guards against
// reuse. The test is the person: it reads what login printed, has the
// server log the user in and consent (/_test/authorize, /_test/device), and
// delivers the browser's redirect to the broker's loopback listener.

#include <boost/test/unit_test.hpp>

#include "LoginUser.h"
#include "OAuth2TestSupport.h"
#include "TextMatch.h"

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth2;
using namespace std::chrono_literals;

namespace {

std::string browserProfile()
{
    return "    grant: authorization_code\n    issuer: " + server().issuer() +
           "\n    client_id: app-client\n    redirect_uri: " + redirectUri() + "\n    scope: [openid]\n";
}

std::string deviceProfile()
{
    return "    grant: device_code\n    issuer: " + server().issuer() +
           "\n    client_id: tv-client\n    scope: [openid]\n    poll_interval: 1s\n";
}

int waitForExit(ChildProcess& process)
{
    auto status = process.wait(60s);
    BOOST_REQUIRE_MESSAGE(status, "did not end: " + process.out() + process.err());
    return *status;
}

/// The last refresh_token grant the server received.
Poco::JSON::Object::Ptr lastRefreshRequest()
{
    Poco::JSON::Object::Ptr last;
    for (const auto& request : server().requests("/token"))
    {
        if (param(request, "grant_type") == "refresh_token")
            last = request;
    }
    BOOST_TEST_REQUIRE(last);
    return last;
}

} // namespace

BOOST_AUTO_TEST_SUITE(AuthorizationCode)

BOOST_AUTO_TEST_CASE(a_browser_login_with_pkce_then_each_renewal_rotates_the_refresh_token_and_a_replayed_one_ends_the_grant)
{
    Broker broker;
    broker.write({{"svc", browserProfile()}}, server().caFile());
    RunResult before = broker.run({"once"});
    BOOST_TEST(before.status != 0);
    BOOST_TEST(contains(before.err, "svc: failed: no refresh token stored yet; run: tokenbroker login svc"), before.err);

    server().clearRequests();
    auto login = broker.start({"login", "svc", "--no-browser"});
    const std::string url = OAuth::readAuthorizeUrl(*login);
    BOOST_TEST(url.rfind(server().issuer() + "/auth?", 0) == 0, url);
    BOOST_TEST(OAuth::queryParameter(url, "response_type") == "code");
    BOOST_TEST(OAuth::queryParameter(url, "client_id") == "app-client");
    BOOST_TEST(OAuth::queryParameter(url, "redirect_uri") == redirectUri());
    BOOST_TEST(OAuth::queryParameter(url, "scope") == "openid");
    BOOST_TEST(OAuth::queryParameter(url, "code_challenge_method") == "S256");
    const std::string redirect = server().authorize(url);
    BOOST_TEST(OAuth::queryParameter(redirect, "state") == OAuth::queryParameter(url, "state"));
    BOOST_TEST(OAuth::browse(redirect).status == 200);
    BOOST_TEST_REQUIRE(waitForExit(*login) == 0, login->out() << login->err());

    auto introspection = expectLiveToken(broker, "svc", "app-client");
    BOOST_TEST(introspection->optValue<std::string>("sub", "") == "alice");
    // PKCE: the verifier sent with the code is the one behind the challenge.
    auto exchange = server().requests("/token").back();
    BOOST_TEST(param(exchange, "grant_type") == "authorization_code");
    BOOST_TEST(OAuth::s256(param(exchange, "code_verifier")) == OAuth::queryParameter(url, "code_challenge"));
    const std::string first = broker.storedRefreshToken("svc");
    BOOST_TEST_REQUIRE(!first.empty());

    // Renewals: each presents the newest refresh token and stores the next.
    RunResult renewal = broker.run({"once"});
    BOOST_TEST_REQUIRE(renewal.status == 0, renewal.err);
    BOOST_TEST(param(lastRefreshRequest(), "refresh_token") == first);
    const std::string second = broker.storedRefreshToken("svc");
    BOOST_TEST(second != first);
    expectLiveToken(broker, "svc", "app-client");
    const std::string lastGoodToken = broker.token("svc");

    // Someone replays the first refresh token: the server's reuse detection
    // revokes the whole grant, so the broker's own (newest) token is refused
    // too. That is a new login, said so; the last good token stays in place.
    const HttpResult replay = server().request("POST", "/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
                                               "grant_type=refresh_token&client_id=app-client&refresh_token=" + first);
    BOOST_TEST(replay.status == 400);
    RunResult refused = broker.run({"once"});
    BOOST_TEST(refused.status != 0);
    BOOST_TEST(param(lastRefreshRequest(), "refresh_token") == second);
    BOOST_TEST(contains(refused.err, "rejected: server answered invalid_grant"), refused.err);
    BOOST_TEST(contains(refused.err, "the refresh token is no longer valid, run: tokenbroker login svc"), refused.err);
    BOOST_TEST(broker.token("svc") == lastGoodToken);
}

BOOST_AUTO_TEST_CASE(a_profile_pointed_at_another_server_never_sends_it_the_stored_refresh_token)
{
    Broker broker;
    broker.write({{"svc", browserProfile()}}, server().caFile());
    auto login = broker.start({"login", "svc", "--no-browser"});
    OAuth::browse(server().authorize(OAuth::readAuthorizeUrl(*login)));
    BOOST_TEST_REQUIRE(waitForExit(*login) == 0, login->out() << login->err());
    const std::string stored = broker.storedRefreshToken("svc");
    BOOST_TEST_REQUIRE(!stored.empty());

    // Same client id, another server: the refresh token stays where it was
    // issued, and the profile asks for a login instead.
    broker.write({{"svc", "    grant: authorization_code\n    token_endpoint: " + server().tokenEndpoint() +
                              "\n    authorization_endpoint: " + server().issuer() +
                              "/auth\n    client_id: app-client\n    redirect_uri: " + redirectUri() + "\n"}},
                 server().caFile());
    server().clearRequests();
    RunResult moved = broker.run({"once"});
    BOOST_TEST(moved.status != 0);
    BOOST_TEST(contains(moved.err, "svc: failed: no refresh token stored yet; run: tokenbroker login svc"), moved.err);
    BOOST_TEST(server().requests("/token").empty());
    BOOST_TEST(broker.storedRefreshToken("svc") == stored);
}

BOOST_AUTO_TEST_CASE(publish_id_token_writes_the_id_token_the_server_issued_for_this_client)
{
    Broker broker;
    broker.write({{"svc", browserProfile() + "    publish: id_token\n"}}, server().caFile());
    auto login = broker.start({"login", "svc", "--no-browser"});
    OAuth::browse(server().authorize(OAuth::readAuthorizeUrl(*login)));
    BOOST_TEST_REQUIRE(waitForExit(*login) == 0, login->out() << login->err());
    auto claims = jwtPayload(broker.token("svc"));
    BOOST_TEST(claims->getValue<std::string>("iss") == server().issuer());
    BOOST_TEST(claims->getValue<std::string>("aud") == "app-client");
    BOOST_TEST(claims->getValue<std::string>("sub") == "alice");
    // A renewal publishes the id token of the refresh answer (within the
    // same second the server may sign the very same one again).
    const std::string refreshToken = broker.storedRefreshToken("svc");
    RunResult renewal = broker.run({"once"});
    BOOST_TEST_REQUIRE(renewal.status == 0, renewal.err);
    BOOST_TEST(param(lastRefreshRequest(), "refresh_token") == refreshToken);
    BOOST_TEST(jwtPayload(broker.token("svc"))->getValue<std::string>("aud") == "app-client");
}

BOOST_AUTO_TEST_CASE(a_refused_consent_ends_the_login_with_the_servers_answer)
{
    Broker broker;
    broker.write({{"svc", browserProfile()}}, server().caFile());
    auto login = broker.start({"login", "svc", "--no-browser"});
    const std::string redirect = server().authorize(OAuth::readAuthorizeUrl(*login), false);
    OAuth::browse(redirect);
    BOOST_TEST(waitForExit(*login) != 0);
    BOOST_TEST(contains(login->err(), "the authorisation was refused: access_denied"), login->err());
    BOOST_TEST(!broker.hasToken("svc"));
}

BOOST_AUTO_TEST_CASE(a_redirect_naming_another_issuer_is_refused)
{
    // RFC 9207: the iss of the redirect must be the server the user was
    // sent to, or a code from elsewhere is being injected.
    Broker broker;
    broker.write({{"svc", browserProfile()}}, server().caFile());
    auto login = broker.start({"login", "svc", "--no-browser"});
    const std::string redirect = server().authorize(OAuth::readAuthorizeUrl(*login));
    OAuth::browse(OAuth::withQueryParameter(redirect, "iss", "https://attacker.example.test"));
    BOOST_TEST(waitForExit(*login) != 0);
    BOOST_TEST(contains(login->err(), "the redirect came from issuer 'https://attacker.example.test', not '" +
                                          server().issuer() + "'; refusing its code"),
               login->err());
    BOOST_TEST(!broker.hasToken("svc"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(DeviceCode)

BOOST_AUTO_TEST_CASE(the_user_approves_after_pending_polls_and_renewals_rotate_the_refresh_token)
{
    Broker broker;
    broker.write({{"tv", deviceProfile()}}, server().caFile());
    server().clearRequests();
    auto login = broker.start({"login", "tv", "--no-browser"});
    const std::string userCode = OAuth::readUserCode(*login);
    // The person is slow: the broker polls and hears authorization_pending.
    BOOST_TEST_REQUIRE(login->waitForOutput("waiting for approval", 30s), login->out());
    server().decideDevice(userCode);
    BOOST_TEST_REQUIRE(waitForExit(*login) == 0, login->out() << login->err());
    auto introspection = expectLiveToken(broker, "tv", "tv-client");
    BOOST_TEST(introspection->optValue<std::string>("sub", "") == "alice");
    auto started = server().requests("/device/auth");
    BOOST_TEST_REQUIRE(started.size() == 1u);
    BOOST_TEST(param(started[0], "client_id") == "tv-client");
    BOOST_TEST(param(started[0], "scope") == "openid");

    const std::string first = broker.storedRefreshToken("tv");
    BOOST_TEST_REQUIRE(!first.empty());
    RunResult renewal = broker.run({"once"});
    BOOST_TEST_REQUIRE(renewal.status == 0, renewal.err);
    BOOST_TEST(param(lastRefreshRequest(), "refresh_token") == first);
    BOOST_TEST(broker.storedRefreshToken("tv") != first);
    expectLiveToken(broker, "tv", "tv-client");
}

BOOST_AUTO_TEST_CASE(a_token_without_lifetime_or_refresh_token_is_published_as_never_expiring)
{
    // GitHub's OAuth apps answer so: nothing could renew such a token, and
    // it does not lapse by itself.
    Broker broker;
    broker.write({{"tv", deviceProfile()}}, server().caFile());
    auto login = broker.start({"login", "tv", "--no-browser"});
    OAuth::readUserCode(*login);
    server().fail("/token", 1, 200, R"({"access_token":"gho_never_expires","token_type":"bearer","scope":"repo"})");
    BOOST_TEST_REQUIRE(waitForExit(*login) == 0, login->out() << login->err());
    BOOST_TEST(broker.token("tv") == "gho_never_expires");
    BOOST_TEST(broker.storedRefreshToken("tv").empty());
    RunResult credential = broker.run({"token", "tv", "--format", "exec-credential"});
    BOOST_TEST_REQUIRE(credential.status == 0, credential.err);
    BOOST_TEST(contains(credential.out, "gho_never_expires"), credential.out);
    BOOST_TEST(!contains(credential.out, "expirationTimestamp"), credential.out);
}

BOOST_AUTO_TEST_CASE(an_expired_code_ends_the_polling_with_the_command_to_start_again)
{
    Broker broker;
    broker.write({{"tv", deviceProfile()}}, server().caFile());
    auto login = broker.start({"login", "tv", "--no-browser"});
    OAuth::readUserCode(*login);
    server().fail("/token", 1, 400, R"({"error":"expired_token"})");
    BOOST_TEST(waitForExit(*login) != 0);
    BOOST_TEST(contains(login->err(), "the code expired before it was approved; run: tokenbroker login tv"),
               login->err());
    BOOST_TEST(!broker.hasToken("tv"));
}

BOOST_AUTO_TEST_CASE(slow_down_stretches_the_polling_and_a_denial_ends_it)
{
    Broker broker;
    broker.write({{"tv", deviceProfile()}}, server().caFile());
    auto login = broker.start({"login", "tv", "--no-browser"});
    const std::string userCode = OAuth::readUserCode(*login);
    server().fail("/token", 1, 400, R"({"error":"slow_down"})");
    BOOST_TEST_REQUIRE(login->waitForOutput("the server asked to slow down; polling every 6 s", 30s), login->out());
    server().decideDevice(userCode, false);
    BOOST_TEST(waitForExit(*login) != 0);
    BOOST_TEST(contains(login->err(), "access was denied on the verification page"), login->err());
    BOOST_TEST(!broker.hasToken("tv"));
}

BOOST_AUTO_TEST_SUITE_END()
