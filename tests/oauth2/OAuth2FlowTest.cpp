#define BOOST_TEST_MODULE OAuth2FlowTest
#include <boost/test/unit_test.hpp>

// The `oauth2` flow end to end against an authorization server nobody on
// this project wrote: panva's oidc-provider (OpenID Certified), run by the
// test over HTTPS on loopback with a throwaway CA. The real tokenbroker
// executable loads the real plugin; what it sent is read back from the
// server's request log, and every token it wrote is shown to be live by the
// server's own introspection endpoint.

#include "OAuth2TestSupport.h"
#include "TextMatch.h"

#include <Poco/Base64Encoder.h>
#include <Poco/DirectoryIterator.h>
#include <Poco/String.h>

#include <sstream>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth2;

namespace {

/// client_credentials for basic-client (client_secret_basic) at `where`:
/// "issuer: URL" or "token_endpoint: URL".
std::string basicClient(const std::string& where, const std::string& extra = "")
{
    return "    grant: client_credentials\n    " + where + "\n    client_id: basic-client\n    client_secret: " +
           kSecret + "\n" + extra;
}

/// jwt_bearer for bearer-client, its assertion from robot@example.test
/// signed with `keyFile`.
std::string bearerClient(const std::string& keyFile, const std::string& extra = "")
{
    return "    grant: jwt_bearer\n    issuer: " + server().issuer() +
           "\n    client_id: bearer-client\n    client_auth: none\n    assertion_issuer: robot@example.test\n"
           "    private_key: { file: " + keyFile + " }\n" + extra;
}

} // namespace


BOOST_AUTO_TEST_SUITE(ClientCredentials)

BOOST_AUTO_TEST_CASE(client_secret_basic_sends_the_form_encoded_pair_in_the_authorization_header_only)
{
    Broker broker;
    broker.write({{"svc", basicClient("issuer: " + server().issuer())}},
                 server().caFile());
    server().clearRequests();
    RunResult once = broker.run({"once"});
    BOOST_TEST_REQUIRE(once.status == 0, once.out << once.err);
    BOOST_TEST(contains(once.out, "svc: ok, expires "), once.out);
    expectLiveToken(broker, "svc", "basic-client");

    auto tokenRequests = server().requests("/token");
    BOOST_TEST_REQUIRE(tokenRequests.size() == 1u);
    BOOST_TEST(authorizationOf(tokenRequests[0]) == "Basic " + [] {
        std::ostringstream out;
        Poco::Base64Encoder encoder(out);
        encoder << "basic-client:" + kSecret;
        encoder.close();
        return out.str();
    }());
    BOOST_TEST(param(tokenRequests[0], "grant_type") == "client_credentials");
    BOOST_TEST(param(tokenRequests[0], "client_secret").empty());
    // The secret is never in the broker's own output.
    BOOST_TEST(!contains(once.out + once.err, kSecret));
}

BOOST_AUTO_TEST_CASE(client_secret_post_sends_id_and_secret_in_the_body_and_no_authorization_header)
{
    Broker broker;
    broker.write({{"svc", "    grant: client_credentials\n    issuer: " + server().issuer() +
                              "\n    client_id: post-client\n    client_secret: " + kSecret +
                              "\n    client_auth: client_secret_post\n"}},
                 server().caFile());
    server().clearRequests();
    RunResult once = broker.run({"once"});
    BOOST_TEST_REQUIRE(once.status == 0, once.out << once.err);
    expectLiveToken(broker, "svc", "post-client");
    auto tokenRequests = server().requests("/token");
    BOOST_TEST_REQUIRE(tokenRequests.size() == 1u);
    BOOST_TEST(authorizationOf(tokenRequests[0]).empty());
    BOOST_TEST(param(tokenRequests[0], "client_id") == "post-client");
    BOOST_TEST(param(tokenRequests[0], "client_secret") == kSecret);
}

BOOST_AUTO_TEST_CASE(private_key_jwt_signs_a_fresh_assertion_for_the_token_endpoint)
{
    Broker broker;
    broker.write({{"svc", "    grant: client_credentials\n    issuer: " + server().issuer() +
                              "\n    client_id: jwt-client\n    client_auth: private_key_jwt\n    private_key: { file: " +
                              Keys::get().clientKey + " }\n    key_id: client-key-1\n"}},
                 server().caFile());
    server().clearRequests();
    BOOST_TEST_REQUIRE(broker.run({"once"}).status == 0);
    const std::string first = broker.token("svc");
    RunResult again = broker.run({"once"});
    BOOST_TEST_REQUIRE(again.status == 0, again.err);
    expectLiveToken(broker, "svc", "jwt-client");
    BOOST_TEST(broker.token("svc") != first);

    auto tokenRequests = server().requests("/token");
    BOOST_TEST_REQUIRE(tokenRequests.size() == 2u);
    BOOST_TEST(authorizationOf(tokenRequests[0]).empty());
    BOOST_TEST(param(tokenRequests[0], "client_assertion_type") ==
               "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    auto claims = jwtPayload(param(tokenRequests[0], "client_assertion"));
    BOOST_TEST(claims->getValue<std::string>("iss") == "jwt-client");
    BOOST_TEST(claims->getValue<std::string>("sub") == "jwt-client");
    BOOST_TEST(claims->getValue<std::string>("aud") == server().tokenEndpoint());
    // Replay protection on the server's side needs a new jti each time.
    auto secondClaims = jwtPayload(param(tokenRequests[1], "client_assertion"));
    BOOST_TEST(claims->getValue<std::string>("jti") != secondClaims->getValue<std::string>("jti"));
}

BOOST_AUTO_TEST_CASE(private_key_jwt_signs_with_es256_when_alg_says_so)
{
    Broker broker;
    broker.write({{"svc", "    grant: client_credentials\n    issuer: " + server().issuer() +
                              "\n    client_id: es-client\n    client_auth: private_key_jwt\n    alg: ES256\n"
                              "    private_key: { file: " + Keys::get().ecKey + " }\n    key_id: ec-key-1\n"}},
                 server().caFile());
    server().clearRequests();
    RunResult once = broker.run({"once"});
    BOOST_TEST_REQUIRE(once.status == 0, once.out << once.err);
    expectLiveToken(broker, "svc", "es-client");
    auto tokenRequests = server().requests("/token");
    BOOST_TEST_REQUIRE(tokenRequests.size() == 1u);
    const std::string assertion = param(tokenRequests[0], "client_assertion");
    auto header = jwtHeader(assertion);
    BOOST_TEST(header->getValue<std::string>("alg") == "ES256");
    BOOST_TEST(header->getValue<std::string>("kid") == "ec-key-1");
}

BOOST_AUTO_TEST_CASE(a_key_that_does_not_fit_alg_is_refused_at_its_position)
{
    Broker broker;
    broker.write({{"svc", "    grant: client_credentials\n    token_endpoint: https://id.example.test/token\n"
                          "    client_id: es-client\n    client_auth: private_key_jwt\n    alg: ES256\n"
                          "    private_key: { file: " + Keys::get().clientKey + " }\n"}},
                 "ca.pem");
    RunResult check = broker.run({"check"});
    BOOST_TEST(check.status != 0);
    BOOST_TEST(contains(check.err, ":13:18: error: profile 'svc': 'private_key' is unusable: ES256 signs with a "
                                   "P-256 (prime256v1) EC key; this is a key of type RSA"),
               check.err);
}

BOOST_AUTO_TEST_CASE(a_client_that_cannot_authenticate_is_told_to_check_its_credentials_and_writes_nothing)
{
    Broker broker;
    broker.write({{"svc", "    grant: client_credentials\n    issuer: " + server().issuer() +
                              "\n    client_id: basic-client\n    client_secret: not-the-secret\n"}},
                 server().caFile());
    RunResult once = broker.run({"once"});
    BOOST_TEST(once.status != 0);
    BOOST_TEST(contains(once.err, "svc: failed: token request to " + server().tokenEndpoint() +
                                      " rejected: server answered invalid_client"),
               once.err);
    BOOST_TEST(contains(once.err, "check client_id and the credentials client_auth client_secret_basic sends"),
               once.err);
    BOOST_TEST(!contains(once.err, "not-the-secret"));
    BOOST_TEST(!broker.hasToken("svc"));
}

BOOST_AUTO_TEST_CASE(a_resource_indicator_gets_a_token_whose_audience_is_that_resource)
{
    Broker broker;
    broker.write({{"svc", basicClient("issuer: " + server().issuer(), "    resource: https://api.example.test\n    scope: [read]\n")}},
                 server().caFile());
    server().clearRequests();
    RunResult once = broker.run({"once"});
    BOOST_TEST_REQUIRE(once.status == 0, once.err);
    auto tokenRequests = server().requests("/token");
    BOOST_TEST_REQUIRE(tokenRequests.size() == 1u);
    BOOST_TEST(param(tokenRequests[0], "resource") == "https://api.example.test");
    BOOST_TEST(param(tokenRequests[0], "scope") == "read");
    auto claims = jwtPayload(broker.token("svc"));
    BOOST_TEST(claims->getValue<std::string>("aud") == "https://api.example.test");
    BOOST_TEST(claims->getValue<std::string>("scope") == "read");
}

BOOST_AUTO_TEST_CASE(audience_and_extra_params_are_sent_with_the_request)
{
    Broker broker;
    broker.write({{"svc", basicClient("issuer: " + server().issuer(),
                                      "    audience: https://api.example.test\n"
                                      "    extra_params: { tenant: blue, trace: 'a b&c' }\n")}},
                 server().caFile());
    server().clearRequests();
    RunResult once = broker.run({"once"});
    BOOST_TEST_REQUIRE(once.status == 0, once.err);
    auto tokenRequests = server().requests("/token");
    BOOST_TEST_REQUIRE(tokenRequests.size() == 1u);
    BOOST_TEST(param(tokenRequests[0], "audience") == "https://api.example.test");
    BOOST_TEST(param(tokenRequests[0], "tenant") == "blue");
    // Form-encoded, so the server reads the value as written.
    BOOST_TEST(param(tokenRequests[0], "trace") == "a b&c");
    BOOST_TEST(jwtPayload(broker.token("svc"))->getValue<std::string>("aud") == "https://api.example.test");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Discovery)

BOOST_AUTO_TEST_CASE(profiles_of_one_issuer_discover_it_once)
{
    Broker broker;
    const std::string settings = basicClient("issuer: " + server().issuer());
    broker.write({{"one", settings}, {"two", settings}, {"three", settings}}, server().caFile());
    server().clearRequests();
    RunResult once = broker.run({"once"});
    BOOST_TEST_REQUIRE(once.status == 0, once.err);
    BOOST_TEST(server().requests("/.well-known/openid-configuration").size() == 1u);
    BOOST_TEST(server().requests("/token").size() == 3u);
    for (const char* name : {"one", "two", "three"})
        expectLiveToken(broker, name, "basic-client");
}

BOOST_AUTO_TEST_CASE(a_server_without_openid_configuration_is_found_by_rfc8414_metadata)
{
    auto options = standardServer();
    options.discovery = "oauth";
    OidcProvider oauthOnly(options);
    Broker broker;
    broker.write({{"svc", "    grant: client_credentials\n    issuer: " + oauthOnly.issuer() +
                              "\n    client_id: post-client\n    client_secret: " + kSecret +
                              "\n    client_auth: client_secret_post\n"}},
                 oauthOnly.caFile());
    RunResult once = broker.run({"once"});
    BOOST_TEST_REQUIRE(once.status == 0, once.err);
    auto requests = oauthOnly.requests();
    BOOST_TEST_REQUIRE(requests.size() == 3u);
    BOOST_TEST(requests[0]->getValue<std::string>("path") == "/.well-known/openid-configuration");
    BOOST_TEST(requests[1]->getValue<std::string>("path") == "/.well-known/oauth-authorization-server");
    BOOST_TEST(requests[2]->getValue<std::string>("path") == "/token");
}

BOOST_AUTO_TEST_CASE(a_server_without_metadata_is_named_with_both_addresses_tried)
{
    auto options = standardServer();
    options.discovery = "none";
    OidcProvider silent(options);
    Broker broker;
    broker.write({{"svc", basicClient("issuer: " + silent.issuer())}},
                 silent.caFile());
    RunResult once = broker.run({"once"});
    BOOST_TEST(once.status != 0);
    BOOST_TEST(contains(once.err, "issuer '" + silent.issuer() + "' publishes no metadata: " + silent.issuer() +
                                      "/.well-known/openid-configuration (HTTP 404), " + silent.issuer() +
                                      "/.well-known/oauth-authorization-server (HTTP 404); set 'token_endpoint'"),
               once.err);
    // The explicit endpoint needs no discovery at all.
    silent.clearRequests();
    broker.write({{"svc", basicClient("token_endpoint: " + silent.tokenEndpoint())}},
                 silent.caFile());
    RunResult explicitEndpoint = broker.run({"once"});
    BOOST_TEST_REQUIRE(explicitEndpoint.status == 0, explicitEndpoint.err);
    auto requests = silent.requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0]->getValue<std::string>("path") == "/token");
}

BOOST_AUTO_TEST_CASE(metadata_naming_another_issuer_is_refused_and_its_endpoints_unused)
{
    // The configured issuer differs from what the server calls itself (by
    // a trailing slash): a mix-up the client must not follow.
    Broker broker;
    broker.write({{"svc", basicClient("issuer: " + server().issuer() + "/")}},
                 server().caFile());
    server().clearRequests();
    RunResult once = broker.run({"once"});
    BOOST_TEST(once.status != 0);
    BOOST_TEST(contains(once.err, "names issuer '" + server().issuer() + "', not '" + server().issuer() + "/'"),
               once.err);
    BOOST_TEST(server().requests("/token").empty());
    BOOST_TEST(!broker.hasToken("svc"));
}

BOOST_AUTO_TEST_CASE(metadata_sending_credentials_in_clear_text_is_refused)
{
    Broker broker;
    broker.write({{"svc", basicClient("issuer: " + server().issuer())}}, server().caFile());
    server().clearRequests();
    server().fail("/.well-known/openid-configuration", 1, 200,
                  R"({"issuer":")" + server().issuer() + R"(","token_endpoint":"http://127.0.0.1:9/token"})");
    RunResult once = broker.run({"once"});
    BOOST_TEST(once.status != 0);
    BOOST_TEST(contains(once.err, "gives no usable token_endpoint ('http://127.0.0.1:9/token', not an https URL)"),
               once.err);
    BOOST_TEST(server().requests("/token").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(JwtBearer)

BOOST_AUTO_TEST_CASE(an_assertion_signed_by_a_trusted_key_is_exchanged_for_a_token_of_its_subject)
{
    Broker broker;
    broker.write({{"svc", bearerClient(Keys::get().clientKey, "    assertion_subject: alice\n")}},
                 server().caFile());
    server().clearRequests();
    RunResult once = broker.run({"once"});
    BOOST_TEST_REQUIRE(once.status == 0, once.out << once.err);
    auto tokenRequests = server().requests("/token");
    BOOST_TEST_REQUIRE(tokenRequests.size() == 1u);
    BOOST_TEST(param(tokenRequests[0], "grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer");
    auto claims = jwtPayload(param(tokenRequests[0], "assertion"));
    BOOST_TEST(claims->getValue<std::string>("iss") == "robot@example.test");
    BOOST_TEST(claims->getValue<std::string>("sub") == "alice");
    BOOST_TEST(claims->getValue<std::string>("aud") == server().tokenEndpoint());
    auto introspection = server().introspect(broker.token("svc"), kIntrospector, kIntrospectorSecret);
    BOOST_TEST(introspection->getValue<bool>("active"));
    BOOST_TEST(introspection->optValue<std::string>("sub", "") == "alice");
}

BOOST_AUTO_TEST_CASE(an_assertion_signed_by_an_unknown_key_is_refused_with_a_hint)
{
    Broker broker;
    broker.write({{"svc", bearerClient(Keys::get().strangerKey)}},
                 server().caFile());
    RunResult once = broker.run({"once"});
    BOOST_TEST(once.status != 0);
    BOOST_TEST(contains(once.err, "rejected: server answered invalid_grant"), once.err);
    BOOST_TEST(contains(once.err, "the server refused the assertion: check private_key, key_id and assertion_*"),
               once.err);
    BOOST_TEST(!broker.hasToken("svc"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ServerTrouble)

BOOST_AUTO_TEST_CASE(a_busy_server_is_a_temporary_failure_and_its_answer_is_never_published)
{
    Broker broker;
    broker.write({{"svc", basicClient("token_endpoint: " + server().tokenEndpoint())}},
                 server().caFile());
    server().fail("/token", 1, 503, R"({"error":"temporarily_unavailable"})", "application/json",
                  {{"Retry-After", "7"}});
    RunResult once = broker.run({"once"});
    BOOST_TEST(once.status != 0);
    BOOST_TEST(contains(once.err, "failed (temporary, retried): server answered temporarily_unavailable"), once.err);
    BOOST_TEST(!broker.hasToken("svc"));
    // The fault is spent: the next try gets a token.
    RunResult again = broker.run({"once"});
    BOOST_TEST_REQUIRE(again.status == 0, again.err);
    expectLiveToken(broker, "svc", "basic-client");
}

BOOST_AUTO_TEST_CASE(a_page_that_is_not_json_is_temporary_and_quoted_by_status_only)
{
    Broker broker;
    broker.write({{"svc", basicClient("token_endpoint: " + server().tokenEndpoint())}},
                 server().caFile());
    server().fail("/token", 1, 200, "<html>captive portal</html>", "text/html");
    RunResult once = broker.run({"once"});
    BOOST_TEST(once.status != 0);
    BOOST_TEST(contains(once.err, "failed (temporary, retried): HTTP 200 with a body that is not a JSON object"),
               once.err);
    BOOST_TEST(!broker.hasToken("svc"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Settings)

BOOST_AUTO_TEST_CASE(check_reports_unusable_settings_at_their_position)
{
    Broker broker;
    auto outputs = [](const std::string& name) { return "    outputs: [{ file: out/" + name + " }]\n"; };
    writeFile(broker.config, "broker:\n  state_dir: state\n  admin: off\nprofiles:\n"
                             "  svc:\n"
                             "    flow: oauth2\n"
                             "    grant: client_credentials\n"
                             "    issuer: https://id.example.test\n"
                             "    client_id: a\n"
                             "    client_secret: b\n"
                             "    client_auth: client_secret_jwt\n" +
                                 outputs("svc") +
                                 "  other:\n"
                                 "    flow: oauth2\n"
                                 "    grant: client_credentials\n"
                                 "    token_endpoint: https://id.example.test/token\n"
                                 "    client_id: a\n"
                                 "    client_secret: b\n"
                                 "    extra_params: { grant_type: password }\n" +
                                 outputs("other") +
                                 "  third:\n"
                                 "    flow: oauth2\n"
                                 "    grant: implicit\n"
                                 "    token_endpoint: https://id.example.test/token\n" +
                                 outputs("third") +
                                 "  fourth:\n"
                                 "    flow: oauth2\n"
                                 "    grant: client_credentials\n"
                                 "    token_endpoint: https://id.example.test/token\n"
                                 "    scopes: [a]\n" +
                                 outputs("fourth"));
    RunResult check = broker.run({"check"});
    BOOST_TEST(check.status != 0);
    BOOST_TEST(contains(check.err, ":11:18: error: profile 'svc': 'client_auth' must be client_secret_basic, "
                                   "client_secret_post, private_key_jwt or none; got 'client_secret_jwt'"),
               check.err);
    BOOST_TEST(contains(check.err, ":19:19: error: profile 'other': 'extra_params' must not set 'grant_type'"), check.err);
    BOOST_TEST(contains(check.err, ":23:12: error: profile 'third': 'grant' must be client_credentials, "
                                   "authorization_code, device_code or jwt_bearer; got 'implicit'"),
               check.err);
    BOOST_TEST(contains(check.err, ":30:5: error: unknown key 'scopes' for flow 'oauth2' in profile 'fourth' (did you mean 'scope'?)"),
               check.err);
}

BOOST_AUTO_TEST_CASE(the_provider_examples_pass_check_with_their_secrets_in_place)
{
    // The examples read secrets from /etc/tokenbroker/secrets/: here they
    // come from a temp dir, private keys as real keys, the rest as text.
    const std::string examples = std::string(TOKENBROKER_TEST_SOURCE_DIR) + "/config/examples";
    TempDir secrets;
    int checked = 0;
    for (Poco::DirectoryIterator it(examples), end; it != end; ++it)
    {
        if (it.name().rfind("oauth2-", 0) != 0)
            continue;
        std::string text = readFile(it.path().toString());
        Poco::replaceInPlace(text, std::string("/etc/tokenbroker/secrets/"), secrets.path() + "/");
        for (std::size_t at = text.find(secrets.path() + "/"); at != std::string::npos;
             at = text.find(secrets.path() + "/", at + 1))
        {
            const std::string path = text.substr(at, text.find_first_of(" }\n", at) - at);
            const bool key = path.size() > 4 && path.compare(path.size() - 4, 4, ".pem") == 0;
            writeFile(path, key ? readFile(Keys::get().clientKey) : "example-secret", 0600);
        }
        Broker broker;
        writeFile(broker.config, text);
        RunResult check = broker.run({"check"});
        BOOST_TEST(check.status == 0, it.name() + ": " + check.err);
        BOOST_TEST(check.out == "ok: 1 profiles\n", it.name() + ": " + check.out);
        ++checked;
    }
    BOOST_TEST(checked == 5);
}

BOOST_AUTO_TEST_SUITE_END()
