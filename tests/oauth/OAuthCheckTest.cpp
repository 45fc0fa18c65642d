// `tokenbroker check` on web, pkce and device profiles: every settings
// problem is reported with the file, line and column of the setting, and
// exit status 2.

#include <boost/test/unit_test.hpp>

#include "OAuthWorld.h"
#include "TextMatch.h"
#include "RecordedRequests.h"

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth;

namespace {

/// Runs check on a config whose only profile is `yaml` (written from line 5
/// on, after the broker section and `profiles:`), given an output.
RunResult runCheck(OAuthWorld& world, const std::string& yaml)
{
    world.writeConfig(yaml + "    outputs: [{file: out/token}]\n");
    return world.broker({"check"});
}

} // namespace

BOOST_AUTO_TEST_SUITE(check_command)

BOOST_AUTO_TEST_CASE(good_profiles_of_every_flow_pass)
{
    OAuthWorld world;
    world.writeConfig(world.webProfile("w") + world.pkceProfile("p") + world.deviceProfile("d"));
    RunResult result = world.broker({"check"});
    BOOST_TEST(result.status == 0, result.err);
    BOOST_TEST(result.out == "ok: 3 profiles\n");
    BOOST_TEST(recordedRequests(world.emulator()).empty(), "check must not talk to the server");
}

BOOST_AUTO_TEST_CASE(verbose_check_shows_each_plugins_facts_but_not_the_client_secret)
{
    OAuthWorld world;
    world.writeConfig(world.webProfile("w", "workspace_id: ws1\n") + world.pkceProfile("p") + world.deviceProfile("d"));
    RunResult result = world.broker({"check", "--verbose"});
    BOOST_TEST(result.status == 0, result.err);
    // Profiles in file order, facts in key order.
    BOOST_TEST(result.out == "w (flow web)\n"
                             "  client_id: " + kWebClient + "\n"
                             "  login: browser\n"
                             "  redirect_uri: " + world.redirectUri() + "\n"
                             "  workspace_id: ws1\n"
                             "p (flow pkce)\n"
                             "  client_id: " + kPkceClient + "\n"
                             "  code_challenge_method: S256\n"
                             "  login: browser\n"
                             "  redirect_uri: " + world.redirectUri() + "\n"
                             "d (flow device)\n"
                             "  client_id: " + kDeviceClient + "\n"
                             "  login: device\n"
                             "ok: 3 profiles\n",
               result.out);
    BOOST_TEST(!contains(result.out + result.err, kWebSecret), "the client secret was shown");
    BOOST_TEST(recordedRequests(world.emulator()).empty(), "check must not talk to the server");
}

BOOST_AUTO_TEST_CASE(web_without_client_secret)
{
    OAuthWorld world;
    RunResult result = runCheck(world, "  w:\n"
                                    "    flow: web\n"
                                    "    client_id: web-app\n"
                                    "    redirect_uri: http://127.0.0.1:8080/cb\n");
    BOOST_TEST(result.status == 2);
    BOOST_TEST(result.err == world.configPath() + ":5:3: error: profile 'w' (flow web) needs 'client_secret' (or "
                                                  "the environment variable COZE_WEB_OAUTH_CLIENT_SECRET)\n",
               result.err);
    BOOST_TEST(result.out.empty());
}

BOOST_AUTO_TEST_CASE(redirect_uri_that_is_not_an_http_url)
{
    OAuthWorld world;
    RunResult result = runCheck(world, "  p:\n"
                                    "    flow: pkce\n"
                                    "    client_id: pkce-app\n"
                                    "    redirect_uri: 127.0.0.1:8080/cb\n");
    BOOST_TEST(result.status == 2);
    BOOST_TEST(result.err == world.configPath() + ":8:19: error: profile 'p': 'redirect_uri' must be an http(s) URL "
                                                  "registered for the app, e.g. http://127.0.0.1:8080/callback\n",
               result.err);
}

BOOST_AUTO_TEST_CASE(unknown_code_challenge_method)
{
    OAuthWorld world;
    RunResult result = runCheck(world, "  p:\n"
                                    "    flow: pkce\n"
                                    "    client_id: pkce-app\n"
                                    "    redirect_uri: http://127.0.0.1:8080/cb\n"
                                    "    code_challenge_method: S512\n");
    BOOST_TEST(result.status == 2);
    BOOST_TEST(result.err == world.configPath() +
                                  ":9:28: error: profile 'p': 'code_challenge_method' must be S256 or plain\n",
               result.err);
}

BOOST_AUTO_TEST_CASE(poll_interval_out_of_range)
{
    for (const char* interval : {"0s", "61s"})
    {
        OAuthWorld world;
        RunResult result = runCheck(world, "  d:\n"
                                        "    flow: device\n"
                                        "    client_id: device-app\n"
                                        "    poll_interval: " + std::string(interval) + "\n");
        BOOST_TEST(result.status == 2, interval);
        BOOST_TEST(result.err == world.configPath() +
                                      ":8:20: error: profile 'd': 'poll_interval' must be between 1s and 60s\n",
                   result.err);
    }
}

BOOST_AUTO_TEST_SUITE_END()
