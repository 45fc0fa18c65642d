// End-to-end tests of coze-emulator: the real process, over HTTPS verified
// strictly against its throwaway CA. Each test case starts its own emulator.

#define BOOST_TEST_MODULE EmulatorTest
#include <boost/test/unit_test.hpp>

#include "EmulatorProcess.h"
#include "KeyMaterial.h"
#include "Pkce.h"
#include "TestPlatform.h"
#include "ThrowawayPki.h"

#include <Poco/Crypto/RSAKey.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

using TokenBroker::Emulator::KeyMaterial;
using TokenBroker::Test::EmulatorProcess;
using TokenBroker::Test::HttpResult;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

const std::string tokenPath = "/api/permission/oauth2/token";
const std::string jwtGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const std::string deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code";
const std::string jwtAppId = "1234567890";
const std::string redirectUri = "http://127.0.0.1:8080/cb";

/// RSA keys are slow-ish to generate; one set serves the whole run.
struct TestKeys
{
    KeyMaterial appKey = KeyMaterial::generateRsa();
    KeyMaterial otherAppKey = KeyMaterial::generateRsa();
    KeyMaterial strangerKey = KeyMaterial::generateRsa(); ///< registered nowhere
};

const TestKeys& keys()
{
    static TestKeys instance;
    return instance;
}

std::int64_t now()
{
    return static_cast<std::int64_t>(std::time(nullptr));
}

/// The standard apps file. `kid-a` is registered as SubjectPublicKeyInfo,
/// `kid-a1` as a PKCS#1 public key of the same pair: both PEM forms load.
std::string appsYaml(const std::string& extra = "")
{
    return R"(apps:
  - client_id: ")" + jwtAppId + R"("
    type: jwt
    public_keys:
      kid-a: keys/app.pub.pem
      kid-a1: keys/app.rsapub.pem
  - client_id: jwt-2
    type: jwt
    public_keys: { kid-b: keys/other.pub.pem }
  - client_id: web-1
    type: web
    client_secret: s3cret
    redirect_uris: [")" + redirectUri + R"(", "http://localhost:9000/cb?tenant=7"]
  - client_id: pkce-1
    type: pkce
    redirect_uris: [")" + redirectUri + R"("]
  - client_id: dev-1
    type: device
pats: [pat_valid]
device_interval: 1
)" + extra;
}

EmulatorProcess::Options emulatorOptions(const std::string& extraYaml = "")
{
    EmulatorProcess::Options options;
    options.appsYaml = appsYaml(extraYaml);
    options.files["keys/app.pub.pem"] = keys().appKey.publicKeyPem();
    options.files["keys/app.rsapub.pem"] = keys().appKey.publicKeyPkcs1Pem();
    options.files["keys/other.pub.pem"] = keys().otherAppKey.publicKeyPem();
    return options;
}

/// Claims the way the Node SDK builds them.
Poco::JSON::Object defaultClaims()
{
    static std::atomic<int> counter{0};
    Poco::JSON::Object claims;
    claims.set("iss", jwtAppId);
    claims.set("aud", std::string("api.coze.cn"));
    claims.set("iat", now());
    claims.set("exp", now() + 3600);
    claims.set("jti", "jti-" + std::to_string(now()) + "-" + std::to_string(++counter));
    return claims;
}

struct JwtSpec
{
    std::string kid = "kid-a";
    const KeyMaterial* key = nullptr; ///< null: the app key
    std::string keyForm = "pkcs8";   ///< pkcs8 | pkcs1
    std::optional<std::string> typ = std::string("JWT");
};

/// Signs with Poco::JWT (RS256) from a PEM private key.
std::string signJwt(const Poco::JSON::Object& claims, const JwtSpec& spec = {})
{
    const KeyMaterial& key = spec.key ? *spec.key : keys().appKey;
    std::istringstream pem(spec.keyForm == "pkcs1" ? key.privateKeyPkcs1Pem() : key.privateKeyPkcs8Pem());
    Poco::SharedPtr<Poco::Crypto::RSAKey> rsa = new Poco::Crypto::RSAKey(nullptr, &pem);
    Poco::JWT::Token token;
    if (spec.typ)
        token.setType(*spec.typ);
    token.header().set("kid", spec.kid);
    for (const auto& [name, value] : claims)
        token.payload().set(name, value);
    Poco::JWT::Signer signer(rsa);
    return signer.sign(token, Poco::JWT::Signer::ALGO_RS256);
}

std::string jwtBody(const std::string& extraMembers = "")
{
    return R"({"grant_type":")" + jwtGrantType + R"(","duration_seconds":900)" + extraMembers + "}";
}

std::string queryParam(const std::string& url, const std::string& name)
{
    for (const auto& [key, value] : Poco::URI(url).getQueryParameters())
        if (key == name)
            return value;
    return {};
}

/// Checks the OAuth error envelope of spec §5: status, all four members.
void expectOAuthError(const HttpResult& result, int status, const std::string& code)
{
    BOOST_TEST_CONTEXT("body: " << result.body)
    {
        BOOST_TEST(result.status == status);
        BOOST_TEST(result.header("Content-Type").rfind("application/json", 0) == 0);
        BOOST_TEST(!result.header("X-Tt-Logid").empty());
        auto json = result.json();
        BOOST_TEST(json->optValue<std::string>("error", "") == code);
        BOOST_TEST(json->optValue<std::string>("error_code", "") == code);
        BOOST_TEST(!json->optValue<std::string>("error_message", "").empty());
        BOOST_TEST(!json->optValue<std::string>("error_description", "").empty());
    }
}

/// A successful token answer with an absolute expiry near `now + lifetime`
/// (the emulator's now: real time plus what the test advanced its clock by).
Poco::JSON::Object::Ptr expectTokens(const HttpResult& result, const std::string& prefix, std::int64_t lifetime,
                                     bool withRefresh, std::int64_t clockOffset = 0)
{
    Poco::JSON::Object::Ptr json;
    BOOST_TEST_CONTEXT("body: " << result.body)
    {
        BOOST_REQUIRE(result.status == 200);
        BOOST_TEST(result.header("Content-Type").rfind("application/json", 0) == 0);
        json = result.json();
        BOOST_TEST(json->getValue<std::string>("access_token").rfind(prefix, 0) == 0);
        const auto expiresIn = json->getValue<std::int64_t>("expires_in");
        BOOST_TEST(expiresIn >= now() + clockOffset + lifetime - 5);
        BOOST_TEST(expiresIn <= now() + clockOffset + lifetime + 5);
        BOOST_TEST(json->has("refresh_token") == withRefresh);
        if (withRefresh)
            BOOST_TEST(json->getValue<std::string>("refresh_token").size() >= 32);
    }
    return json;
}

struct Fixture
{
    explicit Fixture(const std::string& extraYaml = "")
        : emu(emulatorOptions(extraYaml))
    {
    }

    HttpResult token(const std::string& body, const std::string& authorization = "",
                     const std::string& path = tokenPath) const
    {
        Headers headers;
        if (!authorization.empty())
            headers.emplace_back("Authorization", authorization);
        return emu.postJson(path, body, headers);
    }

    HttpResult jwtExchange(const std::string& jwt, const std::string& body = jwtBody(),
                           const std::string& path = tokenPath) const
    {
        return token(body, "Bearer " + jwt, path);
    }

    HttpResult usersMe(const std::string& accessToken) const
    {
        return emu.request("GET", "/v1/users/me", {{"Authorization", "Bearer " + accessToken}});
    }

    HttpResult authorize(const std::string& clientId, const std::string& redirect, const std::string& extra = "",
                         const std::string& path = "/api/permission/oauth2/authorize") const
    {
        std::string encoded;
        Poco::URI::encode(redirect, "!#$&'()*+,/:;=?@[]", encoded);
        return emu.request("GET", path + "?response_type=code&client_id=" + clientId + "&redirect_uri=" + encoded
                                      + "&state=st" + extra);
    }

    /// Authorize and return the code from the redirect.
    std::string code(const std::string& clientId, const std::string& extra = "") const
    {
        HttpResult result = authorize(clientId, redirectUri, extra);
        BOOST_REQUIRE_MESSAGE(result.status == 302, result.body);
        return queryParam(result.header("Location"), "code");
    }

    HttpResult exchangeCode(const std::string& clientId, const std::string& code, const std::string& authorization,
                            const std::string& extraMembers = "", const std::string& redirect = redirectUri) const
    {
        return token(R"({"grant_type":"authorization_code","client_id":")" + clientId + R"(","redirect_uri":")"
                         + redirect + R"(","code":")" + code + "\"" + extraMembers + "}",
                     authorization);
    }

    HttpResult refresh(const std::string& clientId, const std::string& refreshToken,
                       const std::string& authorization = "") const
    {
        return token(R"({"grant_type":"refresh_token","client_id":")" + clientId + R"(","refresh_token":")"
                         + refreshToken + R"("})",
                     authorization);
    }

    Poco::JSON::Object::Ptr deviceCode(const std::string& path = "/api/permission/oauth2/device/code") const
    {
        HttpResult result = emu.postJson(path, R"({"client_id":"dev-1"})", {{"Authorization", "Bearer"}});
        BOOST_REQUIRE_MESSAGE(result.status == 200, result.body);
        return result.json();
    }

    HttpResult pollDevice(const std::string& deviceCode, const std::string& clientId = "dev-1") const
    {
        return token(R"({"grant_type":")" + deviceGrantType + R"(","client_id":")" + clientId
                     + R"(","device_code":")" + deviceCode + R"("})");
    }

    /// Moves the emulator's clock and remembers by how much.
    void advanceClock(std::int64_t seconds)
    {
        emu.advanceClock(seconds);
        clockOffset += seconds;
    }

    EmulatorProcess emu;
    std::int64_t clockOffset = 0;
};

} // namespace

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(process)

BOOST_AUTO_TEST_CASE(prints_url_serves_tls_and_exits_zero_on_sigterm)
{
    Fixture f;
    BOOST_TEST(f.emu.baseUrl() == "https://127.0.0.1:" + std::to_string(f.emu.port()));
    BOOST_TEST(f.emu.process().out().rfind("listening on " + f.emu.baseUrl() + "\n", 0) == 0);
    BOOST_TEST(TokenBroker::Test::readFile(f.emu.caFile()).find("BEGIN CERTIFICATE") != std::string::npos);
    BOOST_TEST(f.usersMe("pat_valid").status == 200);
    BOOST_TEST(f.emu.stop() == 0);
}

BOOST_AUTO_TEST_CASE(sigint_also_stops_cleanly)
{
    TOKENBROKER_SKIP_ON_WINDOWS("Ctrl-C/Ctrl-Break reach only processes that share a console, and the suites "
                                "run without one (ctest under wine)");
    Fixture f;
    f.emu.process().interrupt();
    BOOST_TEST(f.emu.process().wait(std::chrono::seconds(10)).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(a_client_without_the_emulator_ca_is_rejected)
{
    Fixture f;
    // A CA the server did not use: strict verification must fail the handshake.
    TokenBroker::Test::TempDir dir;
    TokenBroker::Test::writeFile(dir.file("other-ca.pem"),
                                 TokenBroker::Emulator::ThrowawayPki::create().caCertificatePem());
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = false;
    params.caLocation = dir.file("other-ca.pem");
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    Poco::Net::HTTPSClientSession session("127.0.0.1", f.emu.port(), context);
    Poco::Net::HTTPRequest request("GET", "/v1/users/me", Poco::Net::HTTPMessage::HTTP_1_1);
    BOOST_CHECK_THROW(session.sendRequest(request), Poco::Exception);
}

BOOST_AUTO_TEST_CASE(server_certificate_names_localhost_too)
{
    Fixture f;
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = false;
    params.caLocation = f.emu.caFile();
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    Poco::Net::HTTPSClientSession session("localhost", f.emu.port(), context);
    Poco::Net::HTTPRequest request("GET", "/v1/users/me", Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("Authorization", "Bearer pat_valid");
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response);
    BOOST_TEST(response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK);
}

BOOST_AUTO_TEST_CASE(http_mode)
{
    auto options = emulatorOptions();
    options.http = true;
    EmulatorProcess emu(options);
    BOOST_TEST(emu.baseUrl() == "http://127.0.0.1:" + std::to_string(emu.port()));
    BOOST_TEST(emu.request("GET", "/v1/users/me", {{"Authorization", "Bearer pat_valid"}}).status == 200);
}

BOOST_AUTO_TEST_CASE(explicit_certificate_and_key)
{
    auto pki = TokenBroker::Emulator::ThrowawayPki::create();
    TokenBroker::Test::TempDir certDir;
    TokenBroker::Test::writeFile(certDir.file("server.pem"), pki.serverCertificatePem());
    TokenBroker::Test::writeFile(certDir.file("server.key"), pki.serverKeyPem(), 0600);
    auto options = emulatorOptions();
    // With --cert/--key nothing is generated: the client trusts this CA.
    options.files["ca.pem"] = pki.caCertificatePem();
    options.extraArgs = {"--cert=" + certDir.file("server.pem"), "--key=" + certDir.file("server.key")};
    EmulatorProcess emu(options);
    BOOST_TEST(TokenBroker::Test::readFile(emu.caFile()) == pki.caCertificatePem());
    BOOST_TEST(emu.request("GET", "/v1/users/me", {{"Authorization", "Bearer pat_valid"}}).status == 200);
}

BOOST_AUTO_TEST_CASE(bad_configuration_fails_at_startup)
{
    TokenBroker::Test::TempDir dir;
    TokenBroker::Test::writeFile(dir.file("apps.yaml"), "apps:\n  - client_id: x\n    type: banana\n");
    auto result = TokenBroker::Test::run(TOKENBROKER_EMULATOR_EXE,
                                         {{"--listen=127.0.0.1:0", "--apps=" + dir.file("apps.yaml")}, {}, {}, "", {}},
                                         std::chrono::seconds(20));
    BOOST_TEST(result.status != 0);
    BOOST_TEST(result.out.find("listening") == std::string::npos);
    BOOST_TEST(result.err.find("banana") != std::string::npos);

    auto missing = TokenBroker::Test::run(TOKENBROKER_EMULATOR_EXE,
                                          {{"--apps=" + dir.file("nope.yaml")}, {}, {}, "", {}}, std::chrono::seconds(20));
    BOOST_TEST(missing.status != 0);
    BOOST_TEST(missing.err.find("nope.yaml") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(common)

BOOST_AUTO_TEST_CASE(unknown_path_and_method_are_404_4200)
{
    Fixture f;
    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/nope"},
             {"GET", tokenPath},
             {"POST", "/v1/users/me"},
             {"POST", "/api/permission/oauth2/authorize"},
             {"POST", "/api/permission/oauth2/account//token"},
             {"POST", "/api/permission/oauth2/token/"}})
    {
        BOOST_TEST_CONTEXT(method << " " << path)
        {
            HttpResult result = f.emu.request(method, path, {{"Content-Type", "application/json"}}, "{}");
            BOOST_TEST(result.status == 404);
            BOOST_TEST(result.header("Content-Type") == "application/json");
            BOOST_TEST(result.json()->getValue<int>("code") == 4200);
            BOOST_TEST(result.json()->getValue<std::string>("msg") == "not found");
        }
    }
}

BOOST_AUTO_TEST_CASE(every_response_has_a_fresh_logid)
{
    Fixture f;
    HttpResult first = f.usersMe("pat_valid");
    HttpResult second = f.usersMe("nonsense");
    BOOST_TEST(!first.header("X-Tt-Logid").empty());
    BOOST_TEST(!second.header("X-Tt-Logid").empty());
    BOOST_TEST(first.header("X-Tt-Logid") != second.header("X-Tt-Logid"));
}

BOOST_AUTO_TEST_CASE(body_must_be_a_json_object_with_json_media_type)
{
    Fixture f;
    expectOAuthError(f.token("not json"), 400, "invalid_request");
    expectOAuthError(f.token("[1,2]"), 400, "invalid_request");
    expectOAuthError(f.token(""), 400, "invalid_request");
    expectOAuthError(f.emu.request("POST", tokenPath, {{"Content-Type", "text/plain"}}, R"({"grant_type":"refresh_token"})"),
                     400, "invalid_request");
    expectOAuthError(f.emu.request("POST", tokenPath, {}, R"({"grant_type":"refresh_token"})"), 400, "invalid_request");
    expectOAuthError(f.emu.request("POST", "/api/permission/oauth2/device/code", {{"Content-Type", "text/plain"}},
                                   R"({"client_id":"dev-1"})"),
                     400, "invalid_request");
}

BOOST_AUTO_TEST_CASE(grant_type_is_checked)
{
    Fixture f;
    expectOAuthError(f.token(R"({"grant_type":"password"})"), 400, "unsupported_grant_type");
    expectOAuthError(f.token(R"({"grant_type":"client_credentials","client_id":"web-1"})"), 400,
                     "unsupported_grant_type");
    expectOAuthError(f.token(R"({"client_id":"web-1"})"), 400, "invalid_request");
    expectOAuthError(f.token(R"({"grant_type":42})"), 400, "invalid_request");
    // The account path is for service apps only.
    expectOAuthError(f.token(R"({"grant_type":"refresh_token","client_id":"pkce-1","refresh_token":"x"})", "",
                             "/api/permission/oauth2/account/7777/token"),
                     400, "unsupported_grant_type");
}

BOOST_AUTO_TEST_CASE(media_type_parameters_and_header_case_are_tolerated)
{
    Fixture f;
    HttpResult result = f.emu.request("POST", tokenPath,
                                      {{"content-type", "Application/JSON; charset=utf-8"},
                                       {"authorization", "Bearer " + signJwt(defaultClaims())}},
                                      jwtBody());
    expectTokens(result, "czs_", 900, false);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(jwt)

BOOST_AUTO_TEST_CASE(exchange_issues_service_token_without_refresh)
{
    Fixture f;
    auto json = expectTokens(f.jwtExchange(signJwt(defaultClaims())), "czs_", 900, false);
    HttpResult me = f.usersMe(json->getValue<std::string>("access_token"));
    BOOST_TEST(me.status == 200);
    BOOST_TEST(me.json()->getValue<int>("code") == 0);
    BOOST_TEST(me.json()->getObject("data")->has("user_id"));
}

BOOST_AUTO_TEST_CASE(pkcs1_and_pkcs8_private_keys_and_both_public_key_forms)
{
    Fixture f;
    JwtSpec pkcs1;
    pkcs1.keyForm = "pkcs1";
    expectTokens(f.jwtExchange(signJwt(defaultClaims(), pkcs1)), "czs_", 900, false);
    JwtSpec rsaPublic;
    rsaPublic.kid = "kid-a1";
    expectTokens(f.jwtExchange(signJwt(defaultClaims(), rsaPublic)), "czs_", 900, false);
    JwtSpec secondApp;
    secondApp.kid = "kid-b";
    secondApp.key = &keys().otherAppKey;
    auto claims = defaultClaims();
    claims.set("iss", std::string("jwt-2"));
    expectTokens(f.jwtExchange(signJwt(claims, secondApp)), "czs_", 900, false);
}

BOOST_AUTO_TEST_CASE(duration_seconds_defaults_and_limits)
{
    Fixture f;
    std::string head = R"({"grant_type":")" + jwtGrantType + "\"";
    expectTokens(f.jwtExchange(signJwt(defaultClaims()), head + "}"), "czs_", 900, false);
    expectTokens(f.jwtExchange(signJwt(defaultClaims()), head + R"(,"duration_seconds":null})"), "czs_", 900, false);
    expectTokens(f.jwtExchange(signJwt(defaultClaims()), head + R"(,"duration_seconds":1})"), "czs_", 1, false);
    expectTokens(f.jwtExchange(signJwt(defaultClaims()), head + R"(,"duration_seconds":86399})"), "czs_", 86399, false);
    for (const std::string bad : {"0", "-5", "86400", "\"900\"", "900.5", "true"})
    {
        BOOST_TEST_CONTEXT("duration_seconds " << bad)
        expectOAuthError(f.jwtExchange(signJwt(defaultClaims()), head + R"(,"duration_seconds":)" + bad + "}"), 400,
                         "invalid_request");
    }
}

BOOST_AUTO_TEST_CASE(scope_null_object_extra_members_and_session_claims_are_accepted)
{
    Fixture f;
    expectTokens(f.jwtExchange(signJwt(defaultClaims()), jwtBody(R"(,"scope":null,"client_id":"1234567890")")), "czs_",
                 900, false);
    expectTokens(f.jwtExchange(signJwt(defaultClaims()),
                               jwtBody(R"(,"scope":{"account_permission":{"permission_list":["Connector.botChat"]},)"
                                       R"("attribute_constraint":{"connector_bot_chat_attribute":{"bot_id_list":["b"]}}})")),
                 "czs_", 900, false);
    expectOAuthError(f.jwtExchange(signJwt(defaultClaims()), jwtBody(R"(,"scope":"Connector.botChat")")), 400,
                     "invalid_request");

    auto claims = defaultClaims();
    claims.set("session_name", std::string("user-42"));
    Poco::JSON::Object::Ptr device = new Poco::JSON::Object;
    device->set("device_id", std::string("d1"));
    Poco::JSON::Object::Ptr context = new Poco::JSON::Object;
    context->set("device_info", device);
    claims.set("session_context", context);
    claims.set("jti", std::string("1795561765:0a1b2c3d:0123456789abcdef")); // Python's jti shape
    auto json = expectTokens(f.jwtExchange(signJwt(claims)), "czs_", 900, false);
    HttpResult me = f.usersMe(json->getValue<std::string>("access_token"));
    BOOST_TEST(me.json()->getObject("data")->getValue<std::string>("user_name") == "user-42");
}

BOOST_AUTO_TEST_CASE(account_and_enterprise_paths)
{
    Fixture f;
    expectTokens(f.jwtExchange(signJwt(defaultClaims()), jwtBody(), "/api/permission/oauth2/account/7777/token"), "czs_",
                 900, false);
    expectTokens(f.jwtExchange(signJwt(defaultClaims()), jwtBody(), "/api/permission/oauth2/enterprise_id/e-1/token"),
                 "czs_", 900, false);
}

BOOST_AUTO_TEST_CASE(jti_replay_is_rejected)
{
    Fixture f;
    std::string jwt = signJwt(defaultClaims());
    expectTokens(f.jwtExchange(jwt), "czs_", 900, false);
    expectOAuthError(f.jwtExchange(jwt), 401, "invalid_client");
    // A fresh JWT with the same jti is a replay as well.
    auto claims = defaultClaims();
    claims.set("jti", std::string("fixed"));
    expectTokens(f.jwtExchange(signJwt(claims)), "czs_", 900, false);
    claims.set("iat", now() - 1);
    expectOAuthError(f.jwtExchange(signJwt(claims)), 401, "invalid_client");
}

BOOST_AUTO_TEST_CASE(rejected_body_does_not_burn_the_jti)
{
    Fixture f;
    std::string jwt = signJwt(defaultClaims());
    expectOAuthError(f.jwtExchange(jwt, jwtBody(R"(,"scope":7)")), 400, "invalid_request");
    expectTokens(f.jwtExchange(jwt), "czs_", 900, false);
}

BOOST_AUTO_TEST_CASE(structure_alg_typ_kid_and_signature)
{
    Fixture f;
    const std::string good = signJwt(defaultClaims());
    // Not three parts / garbage.
    expectOAuthError(f.jwtExchange(good.substr(0, good.rfind('.'))), 401, "invalid_client");
    expectOAuthError(f.jwtExchange(good.substr(0, good.rfind('.') + 1)), 401, "invalid_client");
    expectOAuthError(f.jwtExchange("a.b.c"), 401, "invalid_client");
    expectOAuthError(f.jwtExchange(good + ".x"), 401, "invalid_client");
    // alg other than RS256.
    {
        Poco::JWT::Token token;
        token.setType("JWT");
        token.header().set("kid", std::string("kid-a"));
        for (const auto& [name, value] : defaultClaims())
            token.payload().set(name, value);
        Poco::JWT::Signer hmac("secret");
        expectOAuthError(f.jwtExchange(hmac.sign(token, Poco::JWT::Signer::ALGO_HS256)), 401, "invalid_client");
    }
    // typ missing or wrong.
    JwtSpec noTyp;
    noTyp.typ.reset();
    expectOAuthError(f.jwtExchange(signJwt(defaultClaims(), noTyp)), 401, "invalid_client");
    JwtSpec otherTyp;
    otherTyp.typ = "JOSE";
    expectOAuthError(f.jwtExchange(signJwt(defaultClaims(), otherTyp)), 401, "invalid_client");
    // Unknown kid.
    JwtSpec unknownKid;
    unknownKid.kid = "kid-zzz";
    expectOAuthError(f.jwtExchange(signJwt(defaultClaims(), unknownKid)), 401, "invalid_client");
    // Registered kid, signed by another key.
    JwtSpec forged;
    forged.key = &keys().strangerKey;
    expectOAuthError(f.jwtExchange(signJwt(defaultClaims(), forged)), 401, "invalid_client");
    // Tampered payload.
    std::string tampered = good;
    tampered[tampered.find('.') + 5] = tampered[tampered.find('.') + 5] == 'A' ? 'B' : 'A';
    expectOAuthError(f.jwtExchange(tampered), 401, "invalid_client");
}

BOOST_AUTO_TEST_CASE(missing_or_empty_bearer_is_invalid_client)
{
    Fixture f;
    expectOAuthError(f.token(jwtBody()), 401, "invalid_client");
    expectOAuthError(f.token(jwtBody(), "Bearer"), 401, "invalid_client");
    expectOAuthError(f.token(jwtBody(), "Bearer "), 401, "invalid_client");
    expectOAuthError(f.token(jwtBody(), "Basic " + signJwt(defaultClaims())), 401, "invalid_client");
}

BOOST_AUTO_TEST_CASE(iss_must_own_the_key)
{
    Fixture f;
    auto claims = defaultClaims();
    claims.set("iss", std::string("jwt-2")); // registered app, but kid-a is not its key
    expectOAuthError(f.jwtExchange(signJwt(claims)), 401, "invalid_client");
    claims.set("iss", std::string("unknown-app"));
    expectOAuthError(f.jwtExchange(signJwt(claims)), 401, "invalid_client");
    claims.remove("iss");
    expectOAuthError(f.jwtExchange(signJwt(claims)), 401, "invalid_client");
}

BOOST_AUTO_TEST_CASE(aud_default_set)
{
    Fixture f;
    const std::string port = std::to_string(f.emu.port());
    for (const std::string& aud :
         std::vector<std::string>{"api.coze.cn", "127.0.0.1:" + port, "127.0.0.1", "localhost:" + port, "localhost"})
    {
        auto claims = defaultClaims();
        claims.set("aud", aud);
        BOOST_TEST_CONTEXT("aud " << aud)
        expectTokens(f.jwtExchange(signJwt(claims)), "czs_", 900, false);
    }
    for (const std::string aud : {"api.coze.com", "https://api.coze.cn", "127.0.0.1:1", ""})
    {
        auto claims = defaultClaims();
        claims.set("aud", aud);
        BOOST_TEST_CONTEXT("aud " << aud)
        expectOAuthError(f.jwtExchange(signJwt(claims)), 401, "invalid_client");
    }
    auto claims = defaultClaims();
    claims.remove("aud");
    expectOAuthError(f.jwtExchange(signJwt(claims)), 401, "invalid_client");
}

BOOST_AUTO_TEST_CASE(aud_configurable)
{
    Fixture f("jwt_audiences: [api.example.test]\n");
    auto claims = defaultClaims();
    claims.set("aud", std::string("api.example.test"));
    expectTokens(f.jwtExchange(signJwt(claims)), "czs_", 900, false);
    expectOAuthError(f.jwtExchange(signJwt(defaultClaims())), 401, "invalid_client"); // api.coze.cn no longer
}

BOOST_AUTO_TEST_CASE(iat_and_exp_rules)
{
    Fixture f;
    auto withTimes = [](std::int64_t iat, std::int64_t exp) {
        auto claims = defaultClaims();
        claims.set("iat", iat);
        claims.set("exp", exp);
        return signJwt(claims);
    };
    const std::int64_t t = now();
    // Accepted: skew within 60 s, lifetimes of 900, 3600 and the maximum.
    expectTokens(f.jwtExchange(withTimes(t + 30, t + 930)), "czs_", 900, false);
    expectTokens(f.jwtExchange(withTimes(t, t + 900)), "czs_", 900, false);
    expectTokens(f.jwtExchange(withTimes(t, t + 86400)), "czs_", 900, false);
    // Rejected.
    expectOAuthError(f.jwtExchange(withTimes(t + 120, t + 1000)), 401, "invalid_client");  // iat in the future
    expectOAuthError(f.jwtExchange(withTimes(t - 4000, t - 400)), 401, "invalid_client"); // expired
    expectOAuthError(f.jwtExchange(withTimes(t + 10, t + 10)), 401, "invalid_client");     // exp == iat
    expectOAuthError(f.jwtExchange(withTimes(t + 50, t + 20)), 401, "invalid_client");     // exp < iat
    expectOAuthError(f.jwtExchange(withTimes(t, t + 86401)), 401, "invalid_client");       // too long
    auto noExp = defaultClaims();
    noExp.remove("exp");
    expectOAuthError(f.jwtExchange(signJwt(noExp)), 401, "invalid_client");
    auto stringIat = defaultClaims();
    stringIat.set("iat", std::to_string(t));
    expectOAuthError(f.jwtExchange(signJwt(stringIat)), 401, "invalid_client");
    auto noJti = defaultClaims();
    noJti.remove("jti");
    expectOAuthError(f.jwtExchange(signJwt(noJti)), 401, "invalid_client");
}

BOOST_AUTO_TEST_CASE(max_jwt_lifetime_configurable)
{
    Fixture f("max_jwt_lifetime: 1000\n");
    auto claims = defaultClaims(); // exp - iat = 3600
    expectOAuthError(f.jwtExchange(signJwt(claims)), 401, "invalid_client");
    claims.set("exp", now() + 900);
    expectTokens(f.jwtExchange(signJwt(claims)), "czs_", 900, false);
}

BOOST_AUTO_TEST_CASE(concurrent_exchanges_are_all_served_with_distinct_tokens)
{
    Fixture f;
    constexpr int threads = 6;
    constexpr int perThread = 5;
    std::vector<std::string> jwts;
    for (int i = 0; i < threads * perThread; ++i)
        jwts.push_back(signJwt(defaultClaims()));
    std::mutex mutex;
    std::set<std::string> tokens;
    std::atomic<int> failures{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
    {
        workers.emplace_back([&, t] {
            for (int i = 0; i < perThread; ++i)
            {
                try
                {
                    HttpResult result = f.jwtExchange(jwts[t * perThread + i]);
                    if (result.status != 200)
                        ++failures;
                    else
                    {
                        std::lock_guard<std::mutex> lock(mutex);
                        tokens.insert(result.json()->getValue<std::string>("access_token"));
                    }
                }
                catch (...)
                {
                    ++failures;
                }
            }
        });
    }
    for (auto& worker : workers)
        worker.join();
    BOOST_TEST(failures == 0);
    BOOST_TEST(tokens.size() == static_cast<std::size_t>(threads * perThread));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(authorize)

BOOST_AUTO_TEST_CASE(consents_and_redirects_with_code_and_state)
{
    Fixture f;
    HttpResult result = f.emu.request(
        "GET", "/api/permission/oauth2/authorize?response_type=code&client_id=web-1&redirect_uri="
                   "http%3A%2F%2F127.0.0.1%3A8080%2Fcb&state=a+b%26c%3D%2F");
    BOOST_TEST(result.status == 302);
    BOOST_TEST(result.header("Content-Type") == "application/json");
    std::string location = result.header("Location");
    BOOST_TEST(location.rfind(redirectUri + "?code=code_", 0) == 0);
    BOOST_TEST(queryParam(location, "state") == "a b&c=/");
    BOOST_TEST(queryParam(location, "code").size() > 20);
}

BOOST_AUTO_TEST_CASE(empty_state_and_workspace_variant_and_existing_query)
{
    Fixture f;
    HttpResult empty = f.emu.request("GET", "/api/permission/oauth2/authorize?response_type=code&client_id=pkce-1"
                                            "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcb&state=");
    BOOST_TEST(empty.status == 302);
    BOOST_TEST(empty.header("Location").find("&state=") != std::string::npos);
    BOOST_TEST(queryParam(empty.header("Location"), "state").empty());

    HttpResult workspace = f.authorize("web-1", redirectUri, "", "/api/permission/oauth2/workspace_id/ws-9/authorize");
    BOOST_TEST(workspace.status == 302);
    BOOST_TEST(queryParam(workspace.header("Location"), "code").rfind("code_", 0) == 0);

    HttpResult withQuery = f.authorize("web-1", "http://localhost:9000/cb?tenant=7");
    BOOST_TEST(withQuery.status == 302);
    BOOST_TEST(withQuery.header("Location").rfind("http://localhost:9000/cb?tenant=7&code=code_", 0) == 0);
}

BOOST_AUTO_TEST_CASE(unknown_client_or_unregistered_redirect_gets_a_page_not_a_redirect)
{
    Fixture f;
    for (const auto& result : {f.authorize("nobody", redirectUri), f.authorize("web-1", "http://127.0.0.1:8081/cb"),
                               f.authorize("web-1", redirectUri + "/"), f.authorize("1234567890", redirectUri),
                               f.emu.request("GET", "/api/permission/oauth2/authorize?response_type=code&client_id=web-1")})
    {
        BOOST_TEST(result.status == 400);
        BOOST_TEST(!result.hasHeader("Location"));
        BOOST_TEST(result.header("Content-Type").rfind("text/html", 0) == 0);
        BOOST_TEST(!result.header("X-Tt-Logid").empty());
    }
}

BOOST_AUTO_TEST_CASE(bad_response_type_or_challenge_method_redirects_with_error)
{
    Fixture f;
    HttpResult token = f.emu.request("GET", "/api/permission/oauth2/authorize?response_type=token&client_id=web-1"
                                            "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcb&state=s");
    BOOST_TEST(token.status == 302);
    BOOST_TEST(queryParam(token.header("Location"), "error") == "unsupported_response_type");
    BOOST_TEST(queryParam(token.header("Location"), "code").empty());
    HttpResult method = f.authorize("pkce-1", redirectUri, "&code_challenge=abc&code_challenge_method=S512");
    BOOST_TEST(method.status == 302);
    BOOST_TEST(queryParam(method.header("Location"), "error") == "invalid_request");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(web_code)

BOOST_AUTO_TEST_CASE(exchange_with_secret_and_single_use)
{
    Fixture f;
    std::string code = f.code("web-1");
    auto json = expectTokens(f.exchangeCode("web-1", code, "Bearer s3cret"), "czu_", 900, true);
    BOOST_TEST(f.usersMe(json->getValue<std::string>("access_token")).status == 200);
    expectOAuthError(f.exchangeCode("web-1", code, "Bearer s3cret"), 400, "invalid_grant");
}

BOOST_AUTO_TEST_CASE(client_secret_is_required)
{
    Fixture f;
    std::string code = f.code("web-1");
    expectOAuthError(f.exchangeCode("web-1", code, ""), 401, "invalid_client");
    expectOAuthError(f.exchangeCode("web-1", code, "Bearer"), 401, "invalid_client");
    expectOAuthError(f.exchangeCode("web-1", code, "Bearer wrong"), 401, "invalid_client");
    // The failed attempts did not spend the code.
    expectTokens(f.exchangeCode("web-1", code, "bearer s3cret"), "czu_", 900, true);
}

BOOST_AUTO_TEST_CASE(code_checks)
{
    Fixture f;
    std::string code = f.code("web-1");
    expectOAuthError(f.exchangeCode("web-1", "code_unknown", "Bearer s3cret"), 400, "invalid_grant");
    expectOAuthError(f.exchangeCode("web-1", code, "Bearer s3cret", "", redirectUri + "/"), 400, "invalid_grant");
    expectOAuthError(f.exchangeCode("web-1", code, "Bearer s3cret", "", "http://localhost:9000/cb?tenant=7"), 400,
                     "invalid_grant");
    expectOAuthError(f.exchangeCode("pkce-1", code, ""), 400, "invalid_grant"); // another client's code
    expectOAuthError(f.exchangeCode("nobody", code, ""), 401, "invalid_client");
    expectOAuthError(f.exchangeCode("dev-1", code, ""), 400, "access_deny");
    expectOAuthError(f.token(R"({"grant_type":"authorization_code","client_id":"web-1","code":")" + code + "\"}",
                             "Bearer s3cret"),
                     400, "invalid_request"); // no redirect_uri
    expectTokens(f.exchangeCode("web-1", code, "Bearer s3cret"), "czu_", 900, true);
}

BOOST_AUTO_TEST_CASE(code_expires)
{
    Fixture f;
    std::string code = f.code("web-1");
    f.advanceClock(601);
    expectOAuthError(f.exchangeCode("web-1", code, "Bearer s3cret"), 400, "invalid_grant");
}

BOOST_AUTO_TEST_CASE(code_ttl_configurable)
{
    Fixture f("code_ttl: 30\n");
    std::string code = f.code("web-1");
    f.advanceClock(31);
    expectOAuthError(f.exchangeCode("web-1", code, "Bearer s3cret"), 400, "invalid_grant");
    std::string fresh = f.code("web-1");
    f.advanceClock(20);
    expectTokens(f.exchangeCode("web-1", fresh, "Bearer s3cret"), "czu_", 900, true, f.clockOffset);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(pkce)

BOOST_AUTO_TEST_CASE(rfc7636_s256_vector)
{
    BOOST_TEST(TokenBroker::Emulator::Pkce::s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
               == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    BOOST_TEST(TokenBroker::Emulator::Pkce::s256Challenge("ce8468784f2f609af230fe9a4312cff9adf54cbc96302d891dcfe183c58c23f1")
               == "CCtaXsO5m9EdWA5rllIwp7EsRpn4aDaeJvsMH8FPO3Y");
    Fixture f;
    std::string code = f.code("pkce-1", "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
                                        "&code_challenge_method=S256");
    expectOAuthError(f.exchangeCode("pkce-1", code, "Bearer", R"(,"code_verifier":"wrong")"), 400, "invalid_grant");
    expectOAuthError(f.exchangeCode("pkce-1", code, "Bearer"), 400, "invalid_grant");
    expectOAuthError(f.exchangeCode("pkce-1", code, "Bearer",
                                    R"(,"code_verifier":"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")"),
                     400, "invalid_grant"); // the challenge itself is no proof under S256
    expectTokens(f.exchangeCode("pkce-1", code, "Bearer",
                                R"(,"code_verifier":"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")"),
                 "czu_", 900, true);
}

BOOST_AUTO_TEST_CASE(plain_explicit_and_default_with_short_verifier)
{
    Fixture f;
    std::string plain = f.code("pkce-1", "&code_challenge=0123456789abcdef&code_challenge_method=plain");
    expectOAuthError(f.exchangeCode("pkce-1", plain, "", R"(,"code_verifier":"0123456789abcdeX")"), 400,
                     "invalid_grant");
    expectTokens(f.exchangeCode("pkce-1", plain, "", R"(,"code_verifier":"0123456789abcdef")"), "czu_", 900, true);
    std::string byDefault = f.code("pkce-1", "&code_challenge=0123456789abcdef");
    expectTokens(f.exchangeCode("pkce-1", byDefault, "Bearer ", R"(,"code_verifier":"0123456789abcdef")"), "czu_", 900,
                 true);
}

BOOST_AUTO_TEST_CASE(refresh_needs_no_secret_and_rotates)
{
    Fixture f;
    std::string code = f.code("pkce-1", "&code_challenge=v&code_challenge_method=plain");
    auto first = expectTokens(f.exchangeCode("pkce-1", code, "", R"(,"code_verifier":"v")"), "czu_", 900, true);
    std::string rt = first->getValue<std::string>("refresh_token");
    auto second = expectTokens(f.refresh("pkce-1", rt, "Bearer"), "czu_", 900, true);
    BOOST_TEST(second->getValue<std::string>("refresh_token") != rt);
    BOOST_TEST(second->getValue<std::string>("access_token") != first->getValue<std::string>("access_token"));
    expectOAuthError(f.refresh("pkce-1", rt), 400, "invalid_grant");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(refresh)

BOOST_AUTO_TEST_CASE(web_refresh_rotates_and_requires_secret)
{
    Fixture f;
    auto first = expectTokens(f.exchangeCode("web-1", f.code("web-1"), "Bearer s3cret"), "czu_", 900, true);
    const std::string rt = first->getValue<std::string>("refresh_token");
    expectOAuthError(f.refresh("web-1", rt), 401, "invalid_client");
    expectOAuthError(f.refresh("web-1", rt, "Bearer wrong"), 401, "invalid_client");
    auto second = expectTokens(f.refresh("web-1", rt, "Bearer s3cret"), "czu_", 900, true);
    const std::string rt2 = second->getValue<std::string>("refresh_token");
    BOOST_TEST(rt2 != rt);
    BOOST_TEST(f.usersMe(second->getValue<std::string>("access_token")).status == 200);
    expectOAuthError(f.refresh("web-1", rt, "Bearer s3cret"), 400, "invalid_grant"); // rotated out
    expectTokens(f.refresh("web-1", rt2, "Bearer s3cret"), "czu_", 900, true);
}

BOOST_AUTO_TEST_CASE(unknown_foreign_revoked_and_expired_refresh_tokens)
{
    Fixture f;
    expectOAuthError(f.refresh("pkce-1", "no-such-token"), 400, "invalid_grant");
    expectOAuthError(f.token(R"({"grant_type":"refresh_token","client_id":"pkce-1"})"), 400, "invalid_request");

    auto web = expectTokens(f.exchangeCode("web-1", f.code("web-1"), "Bearer s3cret"), "czu_", 900, true);
    expectOAuthError(f.refresh("pkce-1", web->getValue<std::string>("refresh_token")), 400, "invalid_grant");
    expectOAuthError(f.refresh("1234567890", web->getValue<std::string>("refresh_token")), 400, "access_deny");

    auto revoked = expectTokens(f.exchangeCode("web-1", f.code("web-1"), "Bearer s3cret"), "czu_", 900, true);
    f.emu.revoke(revoked->getValue<std::string>("refresh_token"));
    expectOAuthError(f.refresh("web-1", revoked->getValue<std::string>("refresh_token"), "Bearer s3cret"), 400,
                     "invalid_grant");

    auto old = expectTokens(f.exchangeCode("web-1", f.code("web-1"), "Bearer s3cret"), "czu_", 900, true);
    f.advanceClock(30 * 86400 + 1);
    expectOAuthError(f.refresh("web-1", old->getValue<std::string>("refresh_token"), "Bearer s3cret"), 400,
                     "invalid_grant");
}

BOOST_AUTO_TEST_CASE(reuse_grace_keeps_a_rotated_token_usable_for_a_while_but_never_a_revoked_one)
{
    Fixture f("refresh_reuse_grace: 60\n");
    std::string code = f.code("pkce-1", "&code_challenge=v&code_challenge_method=plain");
    auto first = expectTokens(f.exchangeCode("pkce-1", code, "", R"(,"code_verifier":"v")"), "czu_", 900, true);
    const std::string rt = first->getValue<std::string>("refresh_token");
    auto second = expectTokens(f.refresh("pkce-1", rt), "czu_", 900, true);
    // The answer was "lost": the previous token still works within the grace,
    // and so does the one the lost answer carried.
    auto again = expectTokens(f.refresh("pkce-1", rt), "czu_", 900, true);
    BOOST_TEST(again->getValue<std::string>("refresh_token") != second->getValue<std::string>("refresh_token"));
    expectTokens(f.refresh("pkce-1", second->getValue<std::string>("refresh_token")), "czu_", 900, true);
    f.advanceClock(60);
    expectOAuthError(f.refresh("pkce-1", rt), 400, "invalid_grant");

    const std::string revoked = again->getValue<std::string>("refresh_token");
    f.emu.revoke(revoked);
    expectOAuthError(f.refresh("pkce-1", revoked), 400, "invalid_grant");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(device)

BOOST_AUTO_TEST_CASE(device_code_answer)
{
    Fixture f("device_code_ttl: 600\n");
    for (const std::string path : {"/api/permission/oauth2/device/code",
                                   "/api/permission/oauth2/workspace_id/ws-9/device/code"})
    {
        auto json = f.deviceCode(path);
        BOOST_TEST(json->getValue<std::string>("device_code").size() >= 20);
        BOOST_TEST(json->getValue<std::string>("user_code").size() == 9);
        BOOST_TEST(json->getValue<std::string>("verification_uri").rfind("https://", 0) == 0);
        BOOST_TEST(json->getValue<std::int64_t>("expires_in") == 600); // relative
        BOOST_TEST(json->getValue<std::int64_t>("interval") == 1);
    }
    expectOAuthError(f.emu.postJson("/api/permission/oauth2/device/code", R"({"client_id":"nobody"})"), 401,
                     "invalid_client");
    expectOAuthError(f.emu.postJson("/api/permission/oauth2/device/code", R"({"client_id":"web-1"})"), 400,
                     "access_deny");
    expectOAuthError(f.emu.postJson("/api/permission/oauth2/device/code", R"({})"), 400, "invalid_request");
}

BOOST_AUTO_TEST_CASE(pending_slow_down_approval_and_spent_code)
{
    Fixture f;
    auto json = f.deviceCode();
    const std::string deviceCode = json->getValue<std::string>("device_code");
    expectOAuthError(f.pollDevice(deviceCode), 400, "authorization_pending");
    expectOAuthError(f.pollDevice(deviceCode), 400, "slow_down"); // immediately again; interval now 6 s
    f.advanceClock(2);
    expectOAuthError(f.pollDevice(deviceCode), 400, "slow_down"); // 2 s < 6 s; interval now 11 s
    f.advanceClock(7);
    expectOAuthError(f.pollDevice(deviceCode), 400, "slow_down"); // 7 s < 11 s; interval now 16 s
    f.advanceClock(17);
    expectOAuthError(f.pollDevice(deviceCode), 400, "authorization_pending");
    f.emu.approveDevice(json->getValue<std::string>("user_code"));
    f.advanceClock(17);
    auto tokens = expectTokens(f.pollDevice(deviceCode), "czu_", 900, true, f.clockOffset);
    f.advanceClock(17);
    expectOAuthError(f.pollDevice(deviceCode), 400, "invalid_grant");
    // Device apps refresh without a secret.
    expectTokens(f.refresh("dev-1", tokens->getValue<std::string>("refresh_token"), "Bearer"), "czu_", 900, true,
                 f.clockOffset);
}

BOOST_AUTO_TEST_CASE(polling_at_the_interval_is_not_slowed_down)
{
    Fixture f;
    const std::string deviceCode = f.deviceCode()->getValue<std::string>("device_code");
    for (int i = 0; i < 3; ++i)
    {
        expectOAuthError(f.pollDevice(deviceCode), 400, "authorization_pending");
        f.advanceClock(1);  // the interval (device_interval: 1) on the emulator's clock
    }
}

BOOST_AUTO_TEST_CASE(denied_expired_unknown_and_foreign)
{
    Fixture f;
    auto denied = f.deviceCode();
    f.emu.approveDevice(denied->getValue<std::string>("user_code"), true);
    expectOAuthError(f.pollDevice(denied->getValue<std::string>("device_code")), 400, "access_denied");

    auto expiring = f.deviceCode();
    f.advanceClock(301);
    expectOAuthError(f.pollDevice(expiring->getValue<std::string>("device_code")), 400, "expired_token");
    BOOST_TEST(f.emu.postJson("/_emulator/device/approve",
                              R"({"user_code":")" + expiring->getValue<std::string>("user_code") + "\"}")
                   .status == 400);

    expectOAuthError(f.pollDevice("no-such-code"), 400, "invalid_grant");
    auto other = f.deviceCode();
    expectOAuthError(f.pollDevice(other->getValue<std::string>("device_code"), "web-1"), 400, "access_deny");
    expectOAuthError(f.pollDevice(other->getValue<std::string>("device_code"), "nobody"), 401, "invalid_client");
    BOOST_TEST(f.emu.postJson("/_emulator/device/approve", R"({"user_code":"NOPE-NOPE"})").status == 404);
}

BOOST_AUTO_TEST_CASE(approval_by_get_on_the_verification_uri)
{
    Fixture f;
    auto json = f.deviceCode();
    std::string uri = json->getValue<std::string>("verification_uri");
    std::string path = Poco::URI(uri).getPath();
    BOOST_TEST(f.emu.request("GET", path + "?user_code=" + json->getValue<std::string>("user_code")).status == 200);
    expectTokens(f.pollDevice(json->getValue<std::string>("device_code")), "czu_", 900, true);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(users_me)

BOOST_AUTO_TEST_CASE(pat_valid_invalid_and_missing)
{
    Fixture f;
    HttpResult pat = f.usersMe("pat_valid");
    BOOST_TEST(pat.status == 200);
    auto json = pat.json();
    BOOST_TEST(json->getValue<int>("code") == 0);
    BOOST_TEST(json->getValue<std::string>("msg").empty());
    for (const char* member : {"user_id", "user_name", "nick_name", "avatar_url"})
        BOOST_TEST(json->getObject("data")->has(member));

    for (const auto& result : {f.usersMe("pat_other"), f.emu.request("GET", "/v1/users/me"),
                               f.emu.request("GET", "/v1/users/me", {{"Authorization", "Bearer "}})})
    {
        BOOST_TEST(result.status == 401);
        BOOST_TEST(result.json()->getValue<int>("code") == 4100);
        BOOST_TEST(!result.json()->getValue<std::string>("msg").empty());
    }
}

BOOST_AUTO_TEST_CASE(access_tokens_expire)
{
    Fixture f("access_ttl: 60\n");
    auto user = expectTokens(f.exchangeCode("web-1", f.code("web-1"), "Bearer s3cret"), "czu_", 60, true);
    auto service = expectTokens(f.jwtExchange(signJwt(defaultClaims()), jwtBody().replace(jwtBody().find("900"), 3, "120")),
                                "czs_", 120, false);
    f.advanceClock(61);
    BOOST_TEST(f.usersMe(user->getValue<std::string>("access_token")).status == 401);
    BOOST_TEST(f.usersMe(service->getValue<std::string>("access_token")).status == 200);
    f.advanceClock(60);
    BOOST_TEST(f.usersMe(service->getValue<std::string>("access_token")).status == 401);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(control)

BOOST_AUTO_TEST_CASE(fault_status_body_headers_and_count)
{
    Fixture f;
    f.emu.addFaults(R"([{"path":"/v1/users/me","status":503,"body":"{\"code\":5000,\"msg\":\"busy\"}",)"
                    R"("count":2,"headers":{"Retry-After":"3"}}])");
    for (int i = 0; i < 2; ++i)
    {
        HttpResult result = f.usersMe("pat_valid");
        BOOST_TEST(result.status == 503);
        BOOST_TEST(result.body == R"({"code":5000,"msg":"busy"})");
        BOOST_TEST(result.header("Retry-After") == "3");
        BOOST_TEST(result.header("Content-Type") == "application/json");
        BOOST_TEST(!result.header("X-Tt-Logid").empty());
    }
    BOOST_TEST(f.usersMe("pat_valid").status == 200);
}

BOOST_AUTO_TEST_CASE(fault_malformed_json_and_nonzero_code_with_200)
{
    Fixture f;
    f.emu.addFaults(R"([{"path":"/api/permission/oauth2/token","status":200,"body":"{\"access_token\":"},)"
                    R"({"path":"/api/permission/oauth2/token","body":"{\"code\":4100,\"msg\":\"nope\"}"}])");
    HttpResult malformed = f.jwtExchange(signJwt(defaultClaims()));
    BOOST_TEST(malformed.status == 200);
    BOOST_TEST(malformed.body == R"({"access_token":)");
    HttpResult code = f.jwtExchange(signJwt(defaultClaims()));
    BOOST_TEST(code.status == 200);
    BOOST_TEST(code.json()->getValue<int>("code") == 4100);
    expectTokens(f.jwtExchange(signJwt(defaultClaims())), "czs_", 900, false);
}

BOOST_AUTO_TEST_CASE(fault_delay_then_real_answer)
{
    Fixture f;
    f.emu.addFaults(R"([{"path":"/v1/users/me","delay_ms":400}])");
    auto start = std::chrono::steady_clock::now();
    HttpResult result = f.usersMe("pat_valid");
    auto elapsed = std::chrono::steady_clock::now() - start;
    BOOST_TEST(result.status == 200);
    BOOST_TEST(result.json()->getValue<int>("code") == 0);
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() >= 400);
}

BOOST_AUTO_TEST_CASE(fault_drop_closes_without_answer_and_matches_exact_path_and_method)
{
    Fixture f;
    f.emu.addFaults(R"([{"path":"/api/permission/oauth2/device/code","drop":true},)"
                    R"({"path":"/v1/users/me","method":"POST","status":500,"body":"x"}])");
    // Another path is untouched; the workspace variant is another path.
    BOOST_TEST(f.emu.postJson("/api/permission/oauth2/workspace_id/w/device/code", R"({"client_id":"dev-1"})").status
               == 200);
    BOOST_CHECK_THROW(f.emu.postJson("/api/permission/oauth2/device/code", R"({"client_id":"dev-1"})"),
                      Poco::Exception);
    BOOST_TEST(f.emu.postJson("/api/permission/oauth2/device/code", R"({"client_id":"dev-1"})").status == 200);
    BOOST_TEST(f.usersMe("pat_valid").status == 200); // GET does not match the POST rule
    BOOST_TEST(f.emu.request("POST", "/v1/users/me").status == 500);
}

BOOST_AUTO_TEST_CASE(fault_patch_body_corrupts_a_real_answer_that_still_took_effect)
{
    Fixture f;
    std::string code = f.code("pkce-1", "&code_challenge=v&code_challenge_method=plain");
    auto first = expectTokens(f.exchangeCode("pkce-1", code, "", R"(,"code_verifier":"v")"), "czu_", 900, true);
    const std::string rt = first->getValue<std::string>("refresh_token");
    f.emu.addFaults(R"([{"path":"/api/permission/oauth2/token","patch_body":{"expires_in":"soon","access_token":null}}])");
    HttpResult patched = f.refresh("pkce-1", rt);
    BOOST_TEST(patched.status == 200);
    auto json = patched.json();
    BOOST_TEST(json->getValue<std::string>("expires_in") == "soon");
    BOOST_TEST(!json->has("access_token"));
    const std::string rotated = json->getValue<std::string>("refresh_token");
    BOOST_TEST(rotated != rt);
    // The rotation was real: the old token is spent, the new one works.
    expectOAuthError(f.refresh("pkce-1", rt), 400, "invalid_grant");
    expectTokens(f.refresh("pkce-1", rotated), "czu_", 900, true);
}

BOOST_AUTO_TEST_CASE(faults_are_validated_and_never_hit_control_paths)
{
    Fixture f;
    for (const std::string bad : {"not json", "{}", R"([{"status":500}])", R"([{"path":"/x","count":0}])", "[1]",
                                  R"([{"path":"/x","patch_body":"text"}])",
                                  R"([{"path":"/x","status":500,"patch_body":{"a":1}}])"})
        BOOST_TEST(f.emu.postJson("/_emulator/faults", bad).status == 400);
    f.emu.addFaults(R"([{"path":"/_emulator/requests","status":500,"body":"x"}])");
    BOOST_TEST(f.emu.request("GET", "/_emulator/requests").status == 200);
}

BOOST_AUTO_TEST_CASE(requests_are_recorded)
{
    Fixture f;
    f.emu.request("GET", "/v1/users/me?x=1&y=2", {{"authorization", "Bearer pat_valid"}, {"X-Custom", "yes"}});
    f.emu.postJson("/api/permission/oauth2/device/code", R"({"client_id":"dev-1"})");
    auto requests = f.emu.requests();
    BOOST_REQUIRE(requests->size() == 2);
    auto first = requests->getObject(0);
    BOOST_TEST(first->getValue<std::string>("method") == "GET");
    BOOST_TEST(first->getValue<std::string>("path") == "/v1/users/me");
    BOOST_TEST(first->getValue<std::string>("query") == "x=1&y=2");
    BOOST_TEST(first->getObject("headers")->getValue<std::string>("authorization") == "Bearer pat_valid");
    BOOST_TEST(first->getObject("headers")->getValue<std::string>("X-Custom") == "yes");
    auto second = requests->getObject(1);
    BOOST_TEST(second->getValue<std::string>("method") == "POST");
    BOOST_TEST(second->getValue<std::string>("body") == R"({"client_id":"dev-1"})");
    // Real arrival times, for tests that measure the spacing of requests.
    const auto nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
    const auto firstMs = first->getValue<Poco::Int64>("received_ms");
    const auto secondMs = second->getValue<Poco::Int64>("received_ms");
    BOOST_TEST(firstMs <= secondMs);
    BOOST_TEST(secondMs <= nowMs);
    BOOST_TEST(nowMs - firstMs < 60000);
}

BOOST_AUTO_TEST_CASE(reset_forgets_tokens_codes_faults_and_requests)
{
    Fixture f;
    auto tokens = expectTokens(f.exchangeCode("web-1", f.code("web-1"), "Bearer s3cret"), "czu_", 900, true);
    std::string pendingCode = f.code("web-1");
    std::string jwt = signJwt(defaultClaims());
    expectTokens(f.jwtExchange(jwt), "czs_", 900, false);
    f.emu.addFaults(R"([{"path":"/v1/users/me","status":500,"body":"x"}])");
    f.advanceClock(100);
    f.emu.reset();

    BOOST_TEST(f.emu.requests()->size() == 0);
    BOOST_TEST(f.usersMe(tokens->getValue<std::string>("access_token")).status == 401); // no fault, token gone
    expectOAuthError(f.refresh("web-1", tokens->getValue<std::string>("refresh_token"), "Bearer s3cret"), 400,
                     "invalid_grant");
    expectOAuthError(f.exchangeCode("web-1", pendingCode, "Bearer s3cret"), 400, "invalid_grant");
    expectTokens(f.jwtExchange(jwt), "czs_", 900, false); // jti memory cleared, clock back to real time
}

BOOST_AUTO_TEST_SUITE_END()
