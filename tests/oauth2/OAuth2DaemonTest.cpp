// `tokenbroker run` keeping oauth2 profiles of every kind fresh beside a
// Coze profile: short-lived tokens from a dedicated oidc-provider and the
// Coze emulator, renewed by the daemon, written to their outputs, each new
// token announced to an on_rotate hook, the user grant's refresh token
// rotated by the daemon itself.

#include <boost/test/unit_test.hpp>

#include "EmulatorProcess.h"
#include "EngineTestSupport.h"
#include "LoginUser.h"
#include "OAuth2TestSupport.h"
#include "TextMatch.h"

#include <Poco/File.h>

#include <map>
#include <set>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth2;
using TokenBroker::Test::Engine::countOf;
using TokenBroker::Test::Engine::waitUntil;
using namespace std::chrono_literals;

namespace {

/// Tokens that live 8 s, renewed by the daemon at 80 % of that.
constexpr int kLifetime = 8;

OidcProvider::Options shortLivedServer()
{
    OidcProvider::Options options = standardServer();
    options.ttl = new Poco::JSON::Object;
    options.ttl->set("ClientCredentials", kLifetime);
    options.ttl->set("AccessToken", kLifetime);
    options.ttl->set("RefreshToken", 3600);
    return options;
}

std::unique_ptr<EmulatorProcess> cozeEmulator()
{
    EmulatorProcess::Options options;
    options.appsYaml = "apps:\n"
                       "  - client_id: \"1180\"\n"
                       "    type: jwt\n"
                       "    public_keys: { kid-app: keys/app.pub.pem }\n";
    options.files["keys/app.pub.pem"] = readFile(Keys::get().clientPublic);
    return std::make_unique<EmulatorProcess>(options);
}

/// The distinct contents a file has had, read while waiting.
struct Versions
{
    std::set<std::string> seen;
    void read(const std::string& path)
    {
        if (Poco::File(path).exists())
            seen.insert(readFile(path));
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(Daemon)

BOOST_AUTO_TEST_CASE(the_daemon_renews_oauth2_profiles_of_every_kind_beside_a_coze_profile)
{
    OidcProvider provider(shortLivedServer());
    auto coze = cozeEmulator();
    Broker broker;
    const std::string hookLog = broker.dir.file("hooks.log");
    const std::string common = "    flow: oauth2\n    ca_file: " + provider.caFile() + "\n    issuer: " + provider.issuer() + "\n";
    writeFile(broker.config,
              "broker:\n  state_dir: state\n  admin: off\nprofiles:\n"
              "  machine:\n" + common +
                  "    grant: client_credentials\n    client_id: basic-client\n    client_secret: " + kSecret + "\n"
                  "    on_rotate: [/bin/sh, -c, 'echo \"$TOKENBROKER_PROFILE $TOKENBROKER_FLOW\" >> " + hookLog + "']\n"
                  "    outputs: [{ file: out/machine.token }]\n"
              "  signed:\n" + common +
                  "    grant: client_credentials\n    client_id: es-client\n    client_auth: private_key_jwt\n"
                  "    alg: ES256\n    key_id: ec-key-1\n    private_key: { file: " + Keys::get().ecKey + " }\n"
                  "    outputs: [{ file: out/signed.token }]\n"
              "  person:\n" + common +
                  "    grant: authorization_code\n    client_id: app-client\n    scope: [openid]\n    redirect_uri: " + redirectUri() + "\n"
                  "    outputs: [{ file: out/person.token }]\n"
              "  coze:\n"
                  "    flow: jwt\n    base_url: " + coze->baseUrl() + "\n    ca_file: " + coze->caFile() + "\n"
                  "    client_id: \"1180\"\n    public_key_id: kid-app\n    private_key: { file: " +
                  Keys::get().clientKey + " }\n    duration: " + std::to_string(kLifetime) + "s\n"
                  "    outputs: [{ file: out/coze.token }]\n");

    // The person logs in once, before the daemon starts.
    auto login = broker.start({"login", "person", "--no-browser"});
    const HttpResult landing = OAuth::browse(provider.authorize(OAuth::readAuthorizeUrl(*login)));
    BOOST_TEST(landing.status == 200, landing.body);
    const auto loggedIn = login->wait(60s);
    BOOST_TEST_REQUIRE(loggedIn.value_or(-1) == 0, "status " << loggedIn.value_or(-1) << ": " << login->out() << login->err());
    const std::string loginRefreshToken = broker.storedRefreshToken("person");
    provider.clearRequests();

    auto daemon = broker.start({"run"});
    const std::vector<std::string> names = {"machine", "signed", "person", "coze"};
    std::map<std::string, Versions> versions;
    // Three tokens each: the first and two renewals.
    const bool renewed = waitUntil(
        [&] {
            bool all = true;
            for (const auto& name : names)
            {
                versions[name].read(broker.dir.file("out/" + name + ".token"));
                all = all && versions[name].seen.size() >= 3;
            }
            return all;
        },
        60s);
    BOOST_TEST_REQUIRE(renewed, daemon->err());

    for (const char* name : {"machine", "signed", "person"})
    {
        const std::string clientId = std::string(name) == "machine" ? "basic-client"
                                     : std::string(name) == "signed" ? "es-client"
                                                                     : "app-client";
        auto introspection = provider.introspect(broker.token(name), kIntrospector, kIntrospectorSecret);
        BOOST_TEST(introspection->getValue<bool>("active"), name);
        BOOST_TEST(introspection->optValue<std::string>("client_id", "") == clientId);
    }
    // The daemon rotated the person's refresh token at each renewal.
    BOOST_TEST(broker.storedRefreshToken("person") != loginRefreshToken);
    BOOST_TEST(provider.requests("/.well-known/openid-configuration").size() == 1u,
               "three profiles of one issuer, one discovery");
    // Every new token of `machine` ran its hook, with the profile's names.
    BOOST_TEST(waitUntil([&] { return countOf(readFile(hookLog), "machine oauth2\n") >= 3; }, 30s),
               readFile(hookLog));

    // A reload (the same file) makes the issuer's metadata stale: the next
    // renewal reads it again, once for the three profiles.
    daemon->reload();
    BOOST_TEST(daemon->waitForOutput("reloaded: 4 profiles", 30s, true), daemon->err());
    BOOST_TEST(waitUntil([&] { return provider.requests("/.well-known/openid-configuration").size() == 2u; }, 30s));
    const std::size_t tokensBefore = versions["machine"].seen.size();
    BOOST_TEST(waitUntil(
        [&] {
            versions["machine"].read(broker.dir.file("out/machine.token"));
            return versions["machine"].seen.size() > tokensBefore;
        },
        30s));
    BOOST_TEST(provider.requests("/.well-known/openid-configuration").size() == 2u);

    daemon->requestStop();
    BOOST_TEST(daemon->wait(60s).value_or(-1) == 0, daemon->err());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(DaemonDeviceLogin)

BOOST_AUTO_TEST_CASE(with_device_login_auto_the_daemon_logs_an_oauth2_device_profile_in_by_itself)
{
    Broker broker;
    writeFile(broker.config, "broker:\n  state_dir: state\n  admin: off\n  device_login: auto\nprofiles:\n"
                             "  tv:\n    flow: oauth2\n    ca_file: " + server().caFile() + "\n    issuer: " +
                                 server().issuer() +
                                 "\n    grant: device_code\n    client_id: tv-client\n    scope: [openid]\n"
                                 "    poll_interval: 1s\n    outputs: [{ file: out/tv.token }]\n");
    auto daemon = broker.start({"run"});
    // The code is shown where an operator of a headless service looks: the log.
    const std::string marker = "enter the code ";
    BOOST_TEST_REQUIRE(daemon->waitForOutput(marker, 30s, true), daemon->err());
    const std::string log = daemon->err();
    const std::size_t at = log.find(marker) + marker.size();
    const std::string userCode = log.substr(at, log.find(' ', at) - at);
    server().decideDevice(userCode);
    BOOST_TEST_REQUIRE(waitUntil([&] { return broker.hasToken("tv"); }, 30s), daemon->err());
    expectLiveToken(broker, "tv", "tv-client");
    BOOST_TEST(!broker.storedRefreshToken("tv").empty());
    daemon->requestStop();
    BOOST_TEST(daemon->wait(60s).value_or(-1) == 0, daemon->err());
}

BOOST_AUTO_TEST_SUITE_END()
