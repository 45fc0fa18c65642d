// A refresh that fails for a reason that is not the token's fault (server
// error, connection dropped) must leave the stored refresh token alone: it
// is still valid and the next attempt uses it.

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

} // namespace

BOOST_AUTO_TEST_SUITE(refresh_failures)

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
