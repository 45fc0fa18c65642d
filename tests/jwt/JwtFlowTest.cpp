#define BOOST_TEST_MODULE JwtFlowTest
#include <boost/test/unit_test.hpp>

// The `jwt` flow end to end: the real tokenbroker executable loads the real
// plugin and talks to the real coze-emulator over HTTPS (strict TLS against
// the emulator's CA). Keys come from the openssl CLI; what the broker sent
// is read back from the emulator's request log.

#include "FileStamp.h"
#include "JwtTestSupport.h"
#include "TestPlatform.h"

#include <Poco/File.h>
#include <Poco/JSON/Parser.h>

#include <ctime>
#include <set>
#include <stdexcept>
#include <optional>
#include <thread>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Jwt;
using namespace std::chrono_literals;

namespace {

std::int64_t now()
{
    return static_cast<std::int64_t>(std::time(nullptr));
}

/// A token file's content and stamp (modification time and file identity:
/// every write replaces the file with a new one), to prove it was not touched.
struct FileSnapshot
{
    explicit FileSnapshot(const std::string& path)
        : path(path)
        , content(readFile(path))
        , stamp(fileStamp(path))
    {
    }
    bool unchanged() const
    {
        const auto now = fileStamp(path);
        return readFile(path) == content && now && stamp && now->fileId == stamp->fileId &&
               now->mtimeNs == stamp->mtimeNs;
    }

    std::string path;
    std::string content;
    std::optional<FileStamp> stamp;
};

/// `once` succeeded; returns the token it wrote.
std::string onceOk(const BrokerSetup& setup)
{
    RunResult once = broker({"once", "-c", setup.config});
    BOOST_TEST_REQUIRE(once.status == 0, once.err);
    BOOST_TEST(contains(once.out, "svc: ok, expires "), once.out);
    std::string token = readFile(setup.tokenFile());
    BOOST_TEST_REQUIRE(token.rfind("czs_", 0) == 0, token);
    return token.substr(0, token.size() - 1);
}

/// `once` failed with exit 1 and a message containing every part; the
/// outputs of the earlier success are untouched.
void onceFails(const BrokerSetup& setup, const std::vector<std::string>& parts)
{
    FileSnapshot token(setup.tokenFile());
    FileSnapshot json(setup.jsonFile());
    RunResult once = broker({"once", "-c", setup.config});
    BOOST_TEST(once.status == 1, once.err);
    BOOST_TEST(contains(once.err, "svc: failed: "), once.err);
    for (const auto& part : parts)
        BOOST_TEST(contains(once.err, part), "expected '" << part << "' in: " << once.err);
    BOOST_TEST(token.unchanged());
    BOOST_TEST(json.unchanged());
}

std::string faultJson(int status, const std::string& body)
{
    Poco::JSON::Object rule;
    rule.set("path", kTokenPath);
    rule.set("status", status);
    rule.set("body", body);
    std::ostringstream out;
    out << "[";
    rule.stringify(out);
    out << "]";
    return out.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(Exchange)

BOOST_AUTO_TEST_CASE(pkcs8_and_pkcs1_keys_both_obtain_a_token_with_the_emulators_expiry)
{
    auto emulator = startEmulator();
    for (const std::string& keyFile : {Keys::get().appPkcs8, Keys::get().appPkcs1})
    {
        BOOST_TEST_CONTEXT("key " << keyFile)
        {
            BrokerSetup setup(*emulator);
            BrokerSetup::Profile profile;
            profile.privateKey = "{ file: " + keyFile + " }";
            profile.extra = "    duration: 20m\n";
            setup.write(profile);
            const std::int64_t before = now();
            const std::string token = onceOk(setup);
            const std::int64_t after = now();

            // The emulator answers expires_in = its now + duration_seconds,
            // an absolute time the broker must keep as it is.
            auto json = Poco::JSON::Parser().parse(readFile(setup.jsonFile())).extract<Poco::JSON::Object::Ptr>();
            BOOST_TEST(json->getValue<std::string>("access_token") == token);
            const auto expiresAt = json->getValue<std::int64_t>("expires_at");
            BOOST_TEST(expiresAt >= before + 1200);
            BOOST_TEST(expiresAt <= after + 1200);
            BOOST_TEST(json->getValue<std::string>("profile") == "svc");
        }
    }
    BOOST_TEST(tokenRequests(*emulator).size() == 2u);
}

BOOST_AUTO_TEST_CASE(every_claim_and_the_request_are_as_the_protocol_says)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    BrokerSetup::Profile profile;
    profile.extra = "    session_name: user-42\n";
    setup.write(profile);
    const std::int64_t before = now();
    const std::string first = onceOk(setup);
    const std::string second = onceOk(setup);
    const std::int64_t after = now();
    BOOST_TEST(first != second);

    auto requests = tokenRequests(*emulator);
    BOOST_TEST_REQUIRE(requests.size() == 2u);
    std::set<std::string> jtis;
    for (const auto& request : requests)
    {
        BOOST_TEST(request->getValue<std::string>("method") == "POST");
        BOOST_TEST(request->getValue<std::string>("path") == kTokenPath);
        BOOST_TEST(headerOf(request, "Content-Type").rfind("application/json", 0) == 0u);
        auto body = Poco::JSON::Parser().parse(request->getValue<std::string>("body")).extract<Poco::JSON::Object::Ptr>();
        BOOST_TEST(body->getValue<std::string>("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer");
        BOOST_TEST(body->get("duration_seconds").isInteger());
        BOOST_TEST(body->getValue<std::int64_t>("duration_seconds") == 900);  // the default
        BOOST_TEST(!body->has("scope"));

        DecodedJwt jwt = decodeJwt(bearerOf(request));
        BOOST_TEST(jwt.header->getValue<std::string>("alg") == "RS256");
        BOOST_TEST(jwt.header->getValue<std::string>("typ") == "JWT");
        BOOST_TEST(jwt.header->getValue<std::string>("kid") == kAppKid);
        BOOST_TEST(jwt.payload->getValue<std::string>("iss") == kAppId);
        // Default aud: host:port of base_url, as the Python and Go SDKs send it.
        BOOST_TEST(jwt.payload->getValue<std::string>("aud") == "127.0.0.1:" + std::to_string(emulator->port()));
        BOOST_TEST(jwt.payload->get("iat").isInteger(), jwt.payloadText);
        BOOST_TEST(jwt.payload->get("exp").isInteger(), jwt.payloadText);
        const auto iat = jwt.payload->getValue<std::int64_t>("iat");
        // As written on the wire, not only as parsed: plain integers.
        BOOST_TEST(contains(jwt.payloadText, "\"iat\":" + std::to_string(iat) + ","), jwt.payloadText);
        BOOST_TEST(contains(jwt.payloadText, "\"exp\":" + std::to_string(iat + 600) + ","), jwt.payloadText);
        BOOST_TEST(iat >= before);
        BOOST_TEST(iat <= after);
        BOOST_TEST(jwt.payload->getValue<std::int64_t>("exp") == iat + 600);
        const std::string jti = jwt.payload->getValue<std::string>("jti");
        BOOST_TEST(jti.size() == 64u);
        BOOST_TEST(jti.find_first_not_of("0123456789abcdef") == std::string::npos, jti);
        jtis.insert(jti);
        BOOST_TEST(jwt.payload->getValue<std::string>("session_name") == "user-42");
    }
    BOOST_TEST(jtis.size() == 2u, "every exchange needs a fresh jti");
}

BOOST_AUTO_TEST_CASE(the_signature_verifies_with_independent_implementations)
{
    TOKENBROKER_SKIP_ON_WINDOWS("the independent verifiers are the Linux python3 and openssl programs, which "
                                "Windows code under wine cannot start");
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    setup.write({});
    onceOk(setup);
    auto requests = tokenRequests(*emulator);
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    const std::string compact = bearerOf(requests.front());
    const std::string audience = "127.0.0.1:" + std::to_string(emulator->port());

    // PyJWT (python3-jwt): signature, exp, iat and aud.
    ChildProcess::Options python;
    python.args = {"-c",
                   "import jwt, sys\n"
                   "claims = jwt.decode(sys.argv[1], open(sys.argv[2]).read(), algorithms=['RS256'], audience=sys.argv[3])\n"
                   "print(claims['iss'])\n",
                   compact, Keys::get().appPublic, audience};
    RunResult pyjwt = run("/usr/bin/python3", python);
    BOOST_TEST(pyjwt.status == 0, pyjwt.err);
    BOOST_TEST(pyjwt.out == std::string(kAppId) + "\n");

    // openssl dgst over header.payload, and a tampered input must fail.
    DecodedJwt jwt = decodeJwt(compact);
    TempDir dir;
    writeFile(dir.file("input"), jwt.signingInput);
    writeFile(dir.file("tampered"), jwt.signingInput + "x");
    writeFile(dir.file("sig.bin"), jwt.signature);
    BOOST_TEST(jwt.signature.size() == 256u);
    RunResult good = openssl({"dgst", "-sha256", "-verify", Keys::get().appPublic, "-signature", dir.file("sig.bin"),
                              dir.file("input")}, false);
    BOOST_TEST(good.status == 0, good.out + good.err);
    BOOST_TEST(contains(good.out, "Verified OK"), good.out);
    RunResult bad = openssl({"dgst", "-sha256", "-verify", Keys::get().appPublic, "-signature", dir.file("sig.bin"),
                             dir.file("tampered")}, false);
    BOOST_TEST(bad.status != 0);
}

BOOST_AUTO_TEST_CASE(scope_session_name_and_account_id_reach_the_server_in_their_places)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    BrokerSetup::Profile profile;
    profile.extra = "    account_id: \"7777\"\n"
                    "    session_name: user-42\n"
                    "    duration: 2h\n"
                    "    scope:\n"
                    "      account_permission: { permission_list: [Connector.botChat] }\n"
                    "      attribute_constraint:\n"
                    "        connector_bot_chat_attribute: { bot_id_list: [bot-1] }\n";
    setup.write(profile);
    onceOk(setup);
    auto requests = tokenRequests(*emulator);
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0]->getValue<std::string>("path") == "/api/permission/oauth2/account/7777/token");
    auto body = Poco::JSON::Parser().parse(requests[0]->getValue<std::string>("body")).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(body->getValue<std::int64_t>("duration_seconds") == 7200);
    auto scope = body->getObject("scope");
    BOOST_TEST_REQUIRE(scope);
    std::ostringstream scopeText;
    scope->stringify(scopeText);
    auto expected = Poco::JSON::Parser()
                        .parse(R"({"account_permission":{"permission_list":["Connector.botChat"]},)"
                               R"("attribute_constraint":{"connector_bot_chat_attribute":{"bot_id_list":["bot-1"]}}})")
                        .extract<Poco::JSON::Object::Ptr>();
    std::ostringstream expectedText;
    expected->stringify(expectedText);
    BOOST_TEST(scopeText.str() == expectedText.str());
    DecodedJwt jwt = decodeJwt(bearerOf(requests[0]));
    BOOST_TEST(jwt.payload->getValue<std::string>("session_name") == "user-42");
    BOOST_TEST(!body->has("session_name"), "session_name is a claim, not a body member");
}

BOOST_AUTO_TEST_CASE(aud_setting_overrides_the_host_of_base_url)
{
    // Only the real API host is accepted here.
    auto emulator = startEmulator("jwt_audiences: [api.coze.cn]\n");
    BrokerSetup setup(*emulator);
    BrokerSetup::Profile profile;
    profile.extra = "    aud: api.coze.cn\n";
    setup.write(profile);
    onceOk(setup);
    DecodedJwt jwt = decodeJwt(bearerOf(tokenRequests(*emulator).back()));
    BOOST_TEST(jwt.payload->getValue<std::string>("aud") == "api.coze.cn");

    setup.write({});  // default aud 127.0.0.1:PORT is not accepted by this server
    onceFails(setup, {"invalid_client", "aud is not accepted"});
}

BOOST_AUTO_TEST_CASE(the_conventional_environment_variables_configure_the_profile)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    BrokerSetup::Profile profile;
    profile.clientId.clear();
    profile.publicKeyId.clear();
    profile.privateKey = "-";
    setup.write(profile);
    RunResult once = broker({"once", "-c", setup.config}, {{"COZE_JWT_OAUTH_CLIENT_ID", kAppId},
                                                           {"COZE_JWT_OAUTH_PUBLIC_KEY_ID", kAppKid},
                                                           {"COZE_JWT_OAUTH_PRIVATE_KEY", readFile(Keys::get().appPkcs1)}});
    BOOST_TEST(once.status == 0, once.err);
    BOOST_TEST(readFile(setup.tokenFile()).rfind("czs_", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(token_prints_a_token_and_reuses_it_while_valid)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    setup.write({});
    RunResult first = broker({"token", "svc", "-c", setup.config});
    BOOST_TEST_REQUIRE(first.status == 0, first.err);
    BOOST_TEST(first.out.rfind("czs_", 0) == 0u, first.out);
    RunResult second = broker({"token", "svc", "-c", setup.config});
    BOOST_TEST(second.status == 0, second.err);
    BOOST_TEST(second.out == first.out);
    BOOST_TEST(tokenRequests(*emulator).size() == 1u, "the stored token is still valid");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Rejections)

BOOST_AUTO_TEST_CASE(wrong_kid_wrong_key_and_wrong_client_fail_and_leave_old_outputs)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    setup.write({});
    onceOk(setup);

    BrokerSetup::Profile wrongKid;
    wrongKid.publicKeyId = "kid-nope";
    setup.write(wrongKid);
    onceFails(setup, {"JWT token exchange rejected", "invalid_client", "unknown kid 'kid-nope'", "check client_id"});

    BrokerSetup::Profile wrongKey;
    wrongKey.privateKey = "{ file: " + Keys::get().strangerPkcs8 + " }";
    setup.write(wrongKey);
    onceFails(setup, {"invalid_client", "signature does not verify"});

    BrokerSetup::Profile wrongClient;
    wrongClient.clientId = std::string("\"") + kOtherAppId + "\"";
    setup.write(wrongClient);
    onceFails(setup, {"invalid_client", "iss is not the app that owns key"});

    // `token` refuses the same way and prints no token.
    RunResult token = broker({"token", "svc", "-c", setup.config});
    BOOST_TEST(token.status == 1);
    BOOST_TEST(token.out.empty());
    BOOST_TEST(contains(token.err, "invalid_client"), token.err);
}

BOOST_AUTO_TEST_CASE(answers_without_a_usable_token_are_errors_and_write_nothing)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    setup.write({});
    onceOk(setup);

    emulator->addFaults(faultJson(200, R"({"code":4100,"msg":"authentication is invalid"})"));
    onceFails(setup, {"code 4100", "authentication is invalid"});

    emulator->addFaults(faultJson(200, R"({"expires_in":1999999999})"));
    onceFails(setup, {"without an access_token"});

    emulator->addFaults(faultJson(200, R"({"access_token":"","expires_in":1999999999})"));
    onceFails(setup, {"without an access_token"});

    emulator->addFaults(faultJson(200, R"({"access_token":"czs_x","expires_in":"soon"})"));
    onceFails(setup, {"answer with expires_in \"soon\", not a whole number of seconds"});

    // `once` never reports ok for a token that has already expired, nor
    // replaces the valid one it wrote before.
    emulator->addFaults(faultJson(200, R"({"access_token":"czs_x","expires_in":1000000000})"));
    onceFails(setup, {"answer with expires_in 1000000000, a time already past"});

    emulator->addFaults(faultJson(200, R"({"access_token":"czs_x","expires_in":9223372036854775807})"));
    onceFails(setup, {"answer with expires_in 9223372036854775807, more than ten years ahead"});

    emulator->addFaults(faultJson(200, R"({"access_token":"czs_x\u001b[2J","expires_in":1999999999})"));
    onceFails(setup, {"refused the token the jwt flow returned: the access token has byte 0x1b at offset 5"});
}

BOOST_AUTO_TEST_CASE(a_503_is_reported_as_retryable)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    setup.write({});
    onceOk(setup);
    emulator->addFaults(faultJson(503, "upstream unavailable"));
    onceFails(setup, {"temporary, retryable", "HTTP 503"});
    emulator->addFaults(faultJson(503, R"({"error_code":"internal_error","error_message":"Service internal error."})"));
    onceFails(setup, {"temporary, retryable", "internal_error"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Check)

BOOST_AUTO_TEST_CASE(check_accepts_a_good_profile_without_contacting_the_server)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    setup.write({});
    RunResult check = broker({"check", "-c", setup.config});
    BOOST_TEST(check.status == 0, check.err);
    BOOST_TEST(check.out == "ok: 1 profiles\n");
    BOOST_TEST(!contains(check.out + check.err, distinctiveLine(Keys::get().appPkcs8)));
    BOOST_TEST(tokenRequests(*emulator).empty());
}

BOOST_AUTO_TEST_CASE(check_rejects_unusable_keys_at_their_position_without_printing_them)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    const Keys& keys = Keys::get();
    // A PEM cut off in the middle of its base64 body.
    const std::string truncated = setup.dir.file("truncated.pem");
    const std::string full = readFile(keys.appPkcs8);
    writeFile(truncated, full.substr(0, full.size() / 2), 0600);

    struct Case
    {
        std::string keyFile;
        std::string message;
    };
    const std::vector<Case> cases = {
        {truncated, "not a PEM RSA private key (PKCS#1 or PKCS#8): the key block does not decode"},
        {keys.ecKey, "not a PEM RSA private key (PKCS#1 or PKCS#8): it is a key of type EC"},
        {keys.appPublic, "not a PEM RSA private key (PKCS#1 or PKCS#8): it holds a public key"},
    };
    for (const auto& c : cases)
    {
        BOOST_TEST_CONTEXT(c.keyFile)
        {
            BrokerSetup::Profile profile;
            profile.privateKey = "{ file: " + c.keyFile + " }";
            setup.write(profile);
            RunResult check = broker({"check", "-c", setup.config});
            BOOST_TEST(check.status == 2);
            const std::string where =
                setup.config + ":" + std::to_string(setup.lineOf("private_key:")) + ":18: error: profile 'svc': ";
            // The host names the file the plugin only saw the text of.
            BOOST_TEST(contains(check.err, where + "'private_key' is unusable: " + c.message), check.err);
            BOOST_TEST(contains(check.err, " (from " + c.keyFile + ")\n"), check.err);
            BOOST_TEST(!contains(check.out + check.err, distinctiveLine(c.keyFile)), "key material in: " << check.err);
        }
    }

    // From the environment there is no YAML position for the key: the
    // profile's is used, and the key stays unprinted.
    BrokerSetup::Profile fromEnv;
    fromEnv.privateKey = "-";
    setup.write(fromEnv);
    RunResult check = broker({"check", "-c", setup.config}, {{"COZE_JWT_OAUTH_PRIVATE_KEY", readFile(keys.ecKey)}});
    BOOST_TEST(check.status == 2);
    BOOST_TEST(contains(check.err, setup.config + ":" + std::to_string(setup.lineOf("svc:")) + ":3: error: profile 'svc': "
                                       "'private_key' is unusable"), check.err);
    BOOST_TEST(contains(check.err, "(from environment variable COZE_JWT_OAUTH_PRIVATE_KEY)"), check.err);
    BOOST_TEST(!contains(check.out + check.err, distinctiveLine(keys.ecKey)));
}

BOOST_AUTO_TEST_CASE(check_rejects_a_duration_out_of_range)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    for (const char* duration : {"0", "86400", "2d"})
    {
        BOOST_TEST_CONTEXT("duration " << duration)
        {
            BrokerSetup::Profile profile;
            profile.extra = "    duration: " + std::string(duration) + "\n";
            setup.write(profile);
            RunResult check = broker({"check", "-c", setup.config});
            BOOST_TEST(check.status == 2);
            BOOST_TEST(contains(check.err, setup.config + ":" + std::to_string(setup.lineOf("duration:")) +
                                               ":15: error: profile 'svc': 'duration' must be between 1s and 86399s"),
                       check.err);
            BOOST_TEST(!contains(check.out + check.err, distinctiveLine(Keys::get().appPkcs8)));
        }
    }
    BrokerSetup::Profile longest;
    longest.extra = "    duration: 86399\n";
    setup.write(longest);
    RunResult check = broker({"check", "-c", setup.config});
    BOOST_TEST(check.status == 0, check.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Daemon)

BOOST_AUTO_TEST_CASE(run_renews_short_lived_tokens_on_schedule_and_stops_on_term)
{
    auto emulator = startEmulator();
    BrokerSetup setup(*emulator);
    BrokerSetup::Profile profile;
    profile.extra = "    duration: 4s\n";  // the emulator's tokens then live 4 s
    setup.write(profile, "  refresh: { at: 0.5, min_backoff: 1s }\n");
    ChildProcess daemon(TOKENBROKER_EXE, brokerOptions({"run", "-c", setup.config}));

    std::set<std::string> seen;
    const auto deadline = std::chrono::steady_clock::now() + 12s;
    while (std::chrono::steady_clock::now() < deadline && seen.size() < 3 && daemon.running())
    {
        // The daemon keeps replacing the file. On Windows a file in the
        // middle of a replace cannot be opened for a moment: that sample is
        // skipped, the next one reads the file again.
        try
        {
            if (Poco::File(setup.tokenFile()).exists())
                seen.insert(readFile(setup.tokenFile()));
        }
        catch (const std::runtime_error& e)
        {
            BOOST_TEST_MESSAGE("sample skipped: " << e.what());
        }
        std::this_thread::sleep_for(50ms);
    }
    BOOST_TEST(seen.size() >= 3u, "expected the first token and two renewals; saw " << seen.size() << "\n" << daemon.err());
    for (const auto& token : seen)
        BOOST_TEST(token.rfind("czs_", 0) == 0u);

    daemon.requestStop();
    auto status = daemon.wait(10s);
    BOOST_REQUIRE(status);
    BOOST_TEST(*status == 0, daemon.err());
    // Each renewal was a fresh assertion; the emulator would refuse a replay.
    std::set<std::string> jtis;
    for (const auto& request : tokenRequests(*emulator))
        jtis.insert(decodeJwt(bearerOf(request)).payload->getValue<std::string>("jti"));
    BOOST_TEST(jtis.size() == tokenRequests(*emulator).size());
}

BOOST_AUTO_TEST_SUITE_END()
