// A refresh that fails for a reason that is not the token's fault (server
// error, connection dropped) must leave the stored refresh token alone: it
// is still valid and the next attempt uses it. And an answer that did rotate
// the refresh token but is unusable otherwise (issue 9 §2.4) must still get
// the new refresh token stored, since the old one is spent.

#include <boost/test/unit_test.hpp>

#include "OAuthWorld.h"
#include "TextMatch.h"
#include "RecordedRequests.h"

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth;

namespace {

/// A logged-in pkce profile whose next token request meets `fault`.
struct FailingRefresh
{
    OAuthWorld world;
    std::string refreshToken;
    std::string published;
    RunResult once;

    explicit FailingRefresh(const std::string& fault)
    {
        world.writeConfig(world.pkceProfile("app"));
        world.login("app");
        refreshToken = world.storedRefreshToken("app");
        published = world.publishedToken("app");
        world.emulator().addFaults("[{\"path\":\"" + kTokenPath + "\",\"method\":\"POST\"," + fault + "}]");
        once = world.broker({"once", "app"});
    }

    /// The failure changed nothing, and the same token works afterwards.
    void expectTokenKeptAndUsable()
    {
        BOOST_TEST(!contains(once.err, "login"), "a transient failure is not a reason to log in again: " << once.err);
        BOOST_TEST(world.storedRefreshToken("app") == refreshToken);
        BOOST_TEST(world.publishedToken("app") == published);
        std::vector<std::string> presented = presentedRefreshTokens(world.emulator());
        BOOST_TEST_REQUIRE(presented.size() == 1u);
        BOOST_TEST(presented[0] == refreshToken);

        RunResult again = world.broker({"once", "app"});
        BOOST_TEST_REQUIRE(again.status == 0, again.err);
        presented = presentedRefreshTokens(world.emulator());
        BOOST_TEST_REQUIRE(presented.size() == 2u);
        BOOST_TEST(presented[1] == refreshToken);
        BOOST_TEST(world.storedRefreshToken("app") != refreshToken);
        BOOST_TEST(world.serverAccepts(world.publishedToken("app")));
    }
};

/// A logged-in pkce profile whose next refresh really rotates the refresh
/// token on the (strict) emulator, but whose answer arrives with `patch`
/// merged in, e.g. a bad expires_in.
struct RotatedButUnusable
{
    OAuthWorld world;
    std::string refreshToken;
    std::string published;
    RunResult once;

    explicit RotatedButUnusable(const std::string& patch)
    {
        world.writeConfig(world.pkceProfile("app"));
        world.login("app");
        refreshToken = world.storedRefreshToken("app");
        published = world.publishedToken("app");
        world.emulator().addFaults("[{\"path\":\"" + kTokenPath + "\",\"method\":\"POST\",\"patch_body\":" + patch +
                                   "}]");
        once = world.broker({"once", "app"});
    }

    /// The call failed as transient, the rotated token was stored, and the
    /// next refresh presents it and succeeds.
    void expectRotationKept(const std::string& reason)
    {
        BOOST_TEST(once.status == 1, once.out << once.err);
        BOOST_TEST(contains(once.err, "app: failed: " + reason), once.err);
        BOOST_TEST(contains(once.err, "its new refresh token is stored for the next try"), once.err);
        BOOST_TEST(!contains(once.err, "login"), "the rotation was not lost, so no login is needed: " << once.err);
        BOOST_TEST(world.publishedToken("app") == published, "nothing unusable is published");
        const std::string stored = world.storedRefreshToken("app");
        BOOST_TEST(!stored.empty());
        BOOST_TEST(stored != refreshToken, "the state still holds the refresh token the server has rotated out");

        RunResult again = world.broker({"once", "app"});
        BOOST_TEST_REQUIRE(again.status == 0, again.err);
        std::vector<std::string> presented = presentedRefreshTokens(world.emulator());
        BOOST_TEST_REQUIRE(presented.size() == 2u);
        BOOST_TEST(presented[0] == refreshToken);
        BOOST_TEST(presented[1] == stored, "the next refresh uses the new refresh token");
        BOOST_TEST(world.storedRefreshToken("app") != stored);
        BOOST_TEST(world.serverAccepts(world.publishedToken("app")));
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(refresh_failures)

BOOST_AUTO_TEST_CASE(rotated_answer_with_negative_expires_in_keeps_the_new_refresh_token)
{
    RotatedButUnusable refresh(R"({"expires_in":-5})");
    refresh.expectRotationKept("answer with expires_in -5, not a positive number");
}

BOOST_AUTO_TEST_CASE(rotated_answer_with_non_numeric_expires_in_keeps_the_new_refresh_token)
{
    RotatedButUnusable refresh(R"({"expires_in":"soon"})");
    refresh.expectRotationKept("answer with expires_in \"soon\", not a whole number of seconds");
}

BOOST_AUTO_TEST_CASE(rotated_answer_without_expires_in_keeps_the_new_refresh_token)
{
    RotatedButUnusable refresh(R"({"expires_in":null})");
    refresh.expectRotationKept("answer without expires_in");
}

BOOST_AUTO_TEST_CASE(rotated_answer_without_access_token_keeps_the_new_refresh_token)
{
    RotatedButUnusable refresh(R"({"access_token":""})");
    refresh.expectRotationKept("answer without an access_token");
}

BOOST_AUTO_TEST_CASE(unavailable_server_keeps_the_refresh_token)
{
    // What a load balancer says when the service behind it is down.
    FailingRefresh refresh(R"("status":503,"body":"Service Unavailable","count":1)");
    BOOST_TEST(refresh.once.status == 1);
    BOOST_TEST(contains(refresh.once.err, "app: failed: "), refresh.once.err);
    BOOST_TEST(contains(refresh.once.err, "503"), refresh.once.err);
    refresh.expectTokenKeptAndUsable();
}

BOOST_AUTO_TEST_CASE(busy_answer_keeps_the_refresh_token)
{
    FailingRefresh refresh(R"("status":503,"body":"{\"code\":5000,\"msg\":\"busy\"}","count":1)");
    BOOST_TEST(refresh.once.status == 1);
    BOOST_TEST(contains(refresh.once.err, "app: failed: server answered code 5000: busy"), refresh.once.err);
    refresh.expectTokenKeptAndUsable();
}

BOOST_AUTO_TEST_CASE(internal_error_answer_keeps_the_refresh_token)
{
    FailingRefresh refresh(R"("status":500,"body":"{\"error\":\"internal_error\",\"error_code\":\"internal_error\",)"
                           R"(\"error_message\":\"Service internal error.\"}","count":1)");
    BOOST_TEST(refresh.once.status == 1);
    BOOST_TEST(contains(refresh.once.err, "Service internal error."), refresh.once.err);
    refresh.expectTokenKeptAndUsable();
}

BOOST_AUTO_TEST_CASE(dropped_connection_keeps_the_refresh_token)
{
    FailingRefresh refresh(R"("drop":true,"count":1)");
    BOOST_TEST(refresh.once.status == 1);
    BOOST_TEST(contains(refresh.once.err, "app: failed: "), refresh.once.err);
    refresh.expectTokenKeptAndUsable();
}

BOOST_AUTO_TEST_SUITE_END()
