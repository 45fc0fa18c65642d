#define BOOST_TEST_MODULE SettingsTest
#include <boost/test/unit_test.hpp>

#include "ConfigLoader.h"
#include "FlowSchema.h"
#include "SettingsBinder.h"
#include "EnvironmentVariable.h"
#include "PosixSystem.h"
#include "TempDir.h"
#include "TestPlatform.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace TokenBroker;
using TokenBroker::Test::TempDir;
using TokenBroker::Test::writeFile;
using namespace TokenBroker::Test;

namespace {

/// A flow schema using every setting type.
const std::string kSchema = R"({
  "token":     {"type": "secret", "required": true, "env": "TB_TEST_TOKEN", "summary": "the access token"},
  "client_id": {"type": "string"},
  "verify":    {"type": "boolean"},
  "retries":   {"type": "integer"},
  "duration":  {"type": "duration", "env": "TB_TEST_DURATION"},
  "claims":    {"type": "object"},
  "scopes":    {"type": "list"}
})";

/// Sets (or unsets) an environment variable for one test and restores it.
class ScopedEnv
{
public:
    ScopedEnv(std::string name, std::optional<std::string> value)
        : _name(std::move(name))
    {
        if (const char* old = std::getenv(_name.c_str()))
            _old = old;
        setEnvironmentVariable(_name, value);
    }
    ~ScopedEnv() { setEnvironmentVariable(_name, _old); }

private:
    std::string _name;
    std::optional<std::string> _old;
};

struct Bound
{
    Poco::JSON::Object::Ptr settings;
    std::vector<std::string> errors;  ///< "FILE:LINE:COL: error: ..." lines
};

/// Loads a one-profile config whose flow keys start on line 5 (or later when
/// `defaults` lines are given) and binds it against `schema`.
Bound bindProfile(const std::string& body, const std::string& baseDirectory, const std::string& defaults = "",
           const std::string& schema = kSchema)
{
    const std::string yaml = (defaults.empty() ? "" : "defaults:\n" + defaults) +
                             "profiles:\n"
                             "  p:\n"
                             "    flow: pat\n"
                             "    outputs: [ { file: /run/p.token } ]\n" +
                             body;
    Config config = ConfigLoader::loadString(yaml, "test.yaml", baseDirectory);
    Diagnostics diagnostics;
    Bound bound;
    bound.settings = bindSettings(config.profiles.at(0), FlowSchema::parse(schema), diagnostics);
    try
    {
        diagnostics.throwIfAny();
    }
    catch (const ConfigErrors& e)
    {
        for (const auto& error : e.errors())
            bound.errors.push_back(error.what());
    }
    return bound;
}

std::string json(const Poco::Dynamic::Var& value)
{
    std::ostringstream out;
    if (value.type() == typeid(Poco::JSON::Object::Ptr))
        value.extract<Poco::JSON::Object::Ptr>()->stringify(out);
    else if (value.type() == typeid(Poco::JSON::Array::Ptr))
        value.extract<Poco::JSON::Array::Ptr>()->stringify(out);
    else
        out << value.toString();
    return out.str();
}

std::vector<std::string> keysOf(const Poco::JSON::Object::Ptr& object)
{
    std::vector<std::string> names;
    object->getNames(names);
    return names;
}

const std::string kHead = "test.yaml:";

} // namespace

BOOST_AUTO_TEST_SUITE(Schema)

BOOST_AUTO_TEST_CASE(ParsesEveryType)
{
    FlowSchema schema = FlowSchema::parse(kSchema);
    BOOST_TEST(schema.keys() ==
                   (std::vector<std::string>{"claims", "client_id", "duration", "retries", "scopes", "token", "verify"}),
               boost::test_tools::per_element());
    const SettingSchema* token = schema.find("token");
    BOOST_TEST_REQUIRE(token);
    BOOST_TEST((token->type == SettingSchema::Type::Secret));
    BOOST_TEST(token->required);
    BOOST_TEST(token->env == "TB_TEST_TOKEN");
    BOOST_TEST(token->summary == "the access token");
    BOOST_TEST((schema.find("client_id")->type == SettingSchema::Type::String));
    BOOST_TEST(!schema.find("client_id")->required);
    BOOST_TEST(schema.find("client_id")->env.empty());
    BOOST_TEST((schema.find("verify")->type == SettingSchema::Type::Boolean));
    BOOST_TEST((schema.find("retries")->type == SettingSchema::Type::Integer));
    BOOST_TEST((schema.find("duration")->type == SettingSchema::Type::Duration));
    BOOST_TEST((schema.find("claims")->type == SettingSchema::Type::Object));
    BOOST_TEST((schema.find("scopes")->type == SettingSchema::Type::List));
    BOOST_TEST(schema.find("nope") == nullptr);
}

BOOST_AUTO_TEST_CASE(TypeDefaultsToString)
{
    FlowSchema schema = FlowSchema::parse(R"({"name": {}})");
    BOOST_TEST_REQUIRE(schema.find("name"));
    BOOST_TEST((schema.find("name")->type == SettingSchema::Type::String));
    BOOST_TEST(FlowSchema::parse("{}").keys().empty());
}

namespace {

std::string schemaError(const std::string& json)
{
    try
    {
        FlowSchema::parse(json);
    }
    catch (const std::invalid_argument& e)
    {
        return e.what();
    }
    BOOST_FAIL("schema accepted: " + json);
    return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(RejectsMalformedSchemas)
{
    BOOST_TEST(schemaError(R"({"token": {"type": "secret")").rfind("settings schema is not a JSON object: ", 0) == 0u);
    BOOST_TEST(schemaError("[1, 2]").rfind("settings schema is not a JSON object: ", 0) == 0u);
    BOOST_TEST(schemaError("").rfind("settings schema is not a JSON object", 0) == 0u);
    BOOST_TEST(schemaError(R"({"size": {"type": "float"}})") == "setting 'size' has unknown type 'float'");
    BOOST_TEST(schemaError(R"({"token": "secret"})") == "setting 'token' must be described by a JSON object");
    for (const std::string reserved : {"profile", "base_url", "www_base_url"})
    {
        BOOST_TEST(schemaError(R"({")" + reserved + R"(": {"type": "string"}})") ==
                   "setting '" + reserved + "' is reserved for the host");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Binding)

BOOST_AUTO_TEST_CASE(LiteralSecretAndHostKeys)
{
    TempDir dir;
    ScopedEnv noToken("TB_TEST_TOKEN", std::nullopt);
    Bound bound = bindProfile("    token: pat_literal\n"
                       "    client_id: \"1180\"\n",
                       dir.path());
    BOOST_TEST(bound.errors.empty());
    BOOST_TEST(bound.settings->getValue<std::string>("token") == "pat_literal");
    BOOST_TEST(bound.settings->getValue<std::string>("client_id") == "1180");
    BOOST_TEST(bound.settings->getValue<std::string>("profile") == "p");
    BOOST_TEST(bound.settings->getValue<std::string>("base_url") == "https://api.coze.cn");
    BOOST_TEST(bound.settings->getValue<std::string>("www_base_url") == "https://www.coze.cn");
    BOOST_TEST(keysOf(bound.settings) ==
                   (std::vector<std::string>{"base_url", "client_id", "profile", "token", "www_base_url"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(SecretFromFileDropsOneTrailingNewline)
{
    TempDir dir;
    writeFile(dir.file("pat"), "pat_from_file\n", 0600);
    writeFile(dir.file("multi"), "line1\nline2\n\n", 0600);
    writeFile(dir.file("crlf"), "windows\r\n", 0600);
    writeFile(dir.file("bare"), "no-newline", 0600);
    BOOST_TEST(bindProfile("    token: { file: pat }\n", dir.path()).settings->getValue<std::string>("token") == "pat_from_file");
    BOOST_TEST(bindProfile("    token: { file: " + dir.file("pat") + " }\n", "/nonexistent")
                   .settings->getValue<std::string>("token") == "pat_from_file");
    BOOST_TEST(bindProfile("    token: { file: multi }\n", dir.path()).settings->getValue<std::string>("token") ==
               "line1\nline2\n");
    BOOST_TEST(bindProfile("    token: { file: crlf }\n", dir.path()).settings->getValue<std::string>("token") == "windows");
    BOOST_TEST(bindProfile("    token: { file: bare }\n", dir.path()).settings->getValue<std::string>("token") == "no-newline");
}

BOOST_AUTO_TEST_CASE(AFileSharedByProfilesIsReadOncePerLoadAndEachMissingOneIsTold)
{
    TempDir dir;
    writeFile(dir.file("shared"), "pat_shared\n", 0600);
    const std::string yaml = "profiles:\n"
                             "  p1: { flow: pat, token: { file: shared }, outputs: [ { file: /run/1 } ] }\n"
                             "  p2: { flow: pat, token: { file: shared }, outputs: [ { file: /run/2 } ] }\n"
                             "  p3: { flow: pat, token: { file: gone }, outputs: [ { file: /run/3 } ] }\n"
                             "  p4: { flow: pat, token: { file: gone }, outputs: [ { file: /run/4 } ] }\n";
    Config config = ConfigLoader::loadString(yaml, "test.yaml", dir.path());
    const FlowSchema schema = FlowSchema::parse(kSchema);
    Diagnostics diagnostics;
    ReferencedFiles files;
    auto first = bindSettings(config.profiles.at(0), schema, diagnostics, &files);
    // Replaced during the load: the load goes on with the text it read.
    writeFile(dir.file("shared"), "pat_replaced\n", 0600);
    auto second = bindSettings(config.profiles.at(1), schema, diagnostics, &files);
    BOOST_TEST(first->getValue<std::string>("token") == "pat_shared");
    BOOST_TEST(second->getValue<std::string>("token") == "pat_shared");
    BOOST_TEST(diagnostics.size() == 0u);

    bindSettings(config.profiles.at(2), schema, diagnostics, &files);
    bindSettings(config.profiles.at(3), schema, diagnostics, &files);
    std::vector<std::string> errors;
    for (const auto& error : diagnostics.errors())
        errors.push_back(error.what());
    const std::string missing = ": error: cannot read 'token' from file " + dir.file("gone") + ": No such file or directory";
    BOOST_TEST(errors == (std::vector<std::string>{"test.yaml:4:35" + missing, "test.yaml:5:35" + missing}),
               boost::test_tools::per_element());

    // The next load reads the file again.
    ReferencedFiles nextLoad;
    BOOST_TEST(bindSettings(config.profiles.at(1), schema, diagnostics, &nextLoad)->getValue<std::string>("token") ==
               "pat_replaced");
}

BOOST_AUTO_TEST_CASE(SecretFromEnvironment)
{
    TempDir dir;
    ScopedEnv secret("TB_TEST_SECRET_ENV", "pat_from_env");
    Bound bound = bindProfile("    token: { env: TB_TEST_SECRET_ENV }\n", dir.path());
    BOOST_TEST(bound.errors.empty());
    BOOST_TEST(bound.settings->getValue<std::string>("token") == "pat_from_env");
}

BOOST_AUTO_TEST_CASE(MissingEnvironmentVariableIsLocated)
{
    TempDir dir;
    ScopedEnv unset("TB_TEST_UNSET_VAR", std::nullopt);
    ScopedEnv noToken("TB_TEST_TOKEN", std::nullopt);
    Bound bound = bindProfile("    client_id: abc\n"
                       "    token: { env: TB_TEST_UNSET_VAR }\n",
                       dir.path());
    BOOST_TEST(bound.errors == (std::vector<std::string>{
                                   "test.yaml:6:19: error: environment variable TB_TEST_UNSET_VAR (for 'token') is not set"}),
               boost::test_tools::per_element());
    BOOST_TEST(!bound.settings->has("token"));
    // An empty variable is as good as unset.
    ScopedEnv empty("TB_TEST_UNSET_VAR", "");
    BOOST_TEST(bindProfile("    token: { env: TB_TEST_UNSET_VAR }\n", dir.path()).errors ==
                   (std::vector<std::string>{
                       "test.yaml:5:19: error: environment variable TB_TEST_UNSET_VAR (for 'token') is not set"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(MissingSecretFileNamesTheFile)
{
    TempDir dir;
    const std::string path = dir.file("nope.txt");
    Bound bound = bindProfile("    token: { file: nope.txt }\n", dir.path());
    BOOST_TEST(bound.errors ==
                   (std::vector<std::string>{"test.yaml:5:20: error: cannot read 'token' from file " + path +
                                             ": No such file or directory"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(UnreadableSecretFileNamesTheFileButNotItsContent)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    TempDir dir;
    const std::string secret = "pat_TOP_SECRET_VALUE";
    const std::string path = dir.file("pat");
    writeFile(path, secret + "\n", 0600);
    Bound bound;
    if (runningAsRoot())
    {
        // Root reads everything; act as nobody, for whom the 0700 temp
        // directory is closed.
        ScopedEffectiveUser nobody(65534);
        bound = bindProfile("    token: { file: pat }\n", dir.path());
    }
    else
    {
        setMode(path, 0);
        bound = bindProfile("    token: { file: pat }\n", dir.path());
    }
    BOOST_TEST_REQUIRE(bound.errors.size() == 1u);
    BOOST_TEST(bound.errors[0] == "test.yaml:5:20: error: cannot read 'token' from file " + path + ": Permission denied");
    BOOST_TEST(bound.errors[0].find(secret) == std::string::npos);
    BOOST_TEST(!bound.settings->has("token"));
}

BOOST_AUTO_TEST_CASE(SecretFileOpenToOthersIsRefusedAsSshWould)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    TempDir dir;
    const std::string secret = "pat_TOP_SECRET_VALUE";
    for (unsigned mode : {0644u, 0640u, 0604u, 0660u})
    {
        const std::string path = dir.file("pat");
        writeFile(path, secret + "\n", 0600);
        setMode(path, mode);
        char text[8];
        std::snprintf(text, sizeof text, "%04o", mode);
        Bound bound = bindProfile("    token: { file: pat }\n", dir.path());
        BOOST_TEST(bound.errors ==
                       (std::vector<std::string>{"test.yaml:5:20: error: refusing 'token' from a file others may read: " +
                                                 path + " is open to group or others (mode " + text +
                                                 "); run chmod 600 " + path}),
                   boost::test_tools::per_element());
        BOOST_TEST(!bound.settings->has("token"));
    }
    // A setting that is no secret may come from any readable file.
    writeFile(dir.file("client"), "client-1\n", 0644);
    Bound plain = bindProfile("    token: t\n    client_id: { file: client }\n", dir.path());
    BOOST_TEST(plain.errors.empty());
    BOOST_TEST(plain.settings->getValue<std::string>("client_id") == "client-1");
}

BOOST_AUTO_TEST_CASE(FifoInPlaceOfASecretFileIsRefusedNotWaitedOn)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    TempDir dir;
    const std::string path = dir.file("pat");
    makeFifo(path, 0600);
    Bound bound = bindProfile("    token: { file: pat }\n", dir.path());
    BOOST_TEST(bound.errors == (std::vector<std::string>{"test.yaml:5:20: error: refusing 'token' from a file others "
                                                         "may read: " + path + " is not a regular file"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ReferencedFileLargerThan64KiBIsRefused)
{
    TempDir dir;
    writeFile(dir.file("huge"), std::string(65 * 1024, 'x'), 0600);
    BOOST_TEST(bindProfile("    token: { file: huge }\n", dir.path()).errors ==
                   (std::vector<std::string>{"test.yaml:5:20: error: file " + dir.file("huge") +
                                             " for 'token' is larger than 64 KiB; is it the right file?"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(EmptySecretFileIsAnError)
{
    TempDir dir;
    writeFile(dir.file("empty"), "\n", 0600);
    BOOST_TEST(bindProfile("    token: { file: empty }\n", dir.path()).errors ==
                   (std::vector<std::string>{"test.yaml:5:20: error: file " + dir.file("empty") + " for 'token' is empty"}),
               boost::test_tools::per_element());
    BOOST_TEST(bindProfile("    token: \"\"\n", dir.path()).errors ==
                   (std::vector<std::string>{"test.yaml:5:12: error: 'token' must not be empty"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(UnknownReferenceKind)
{
    TempDir dir;
    BOOST_TEST(bindProfile("    token: { vault: kv/pat }\n", dir.path()).errors ==
                   (std::vector<std::string>{
                       "test.yaml:5:14: error: 'token': unknown reference 'vault'; use {file: PATH} or {env: NAME}"}),
               boost::test_tools::per_element());
    BOOST_TEST(bindProfile("    token: { file: a, env: B }\n", dir.path()).errors ==
                   (std::vector<std::string>{
                       "test.yaml:5:12: error: 'token' must be a string, {file: PATH} or {env: NAME}"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ConventionalEnvironmentVariable)
{
    TempDir dir;
    {
        ScopedEnv conventional("TB_TEST_TOKEN", "pat_conventional");
        Bound bound = bindProfile("", dir.path());
        BOOST_TEST(bound.errors.empty());
        BOOST_TEST(bound.settings->getValue<std::string>("token") == "pat_conventional");
        // A written key wins over the conventional variable.
        BOOST_TEST(bindProfile("    token: pat_written\n", dir.path()).settings->getValue<std::string>("token") == "pat_written");
    }
    {
        // Conventional variables are converted like written values.
        ScopedEnv token("TB_TEST_TOKEN", "x");
        ScopedEnv duration("TB_TEST_DURATION", "2m");
        Bound bound = bindProfile("", dir.path());
        BOOST_TEST(bound.errors.empty());
        BOOST_TEST(bound.settings->getValue<Poco::Int64>("duration") == 120);
    }
}

BOOST_AUTO_TEST_CASE(RequiredKeyMissing)
{
    TempDir dir;
    ScopedEnv noToken("TB_TEST_TOKEN", std::nullopt);
    Bound bound = bindProfile("    client_id: abc\n", dir.path());
    BOOST_TEST(bound.errors ==
                   (std::vector<std::string>{"test.yaml:2:3: error: profile 'p' (flow pat) needs 'token' (or the "
                                             "environment variable TB_TEST_TOKEN)"}),
               boost::test_tools::per_element());
    const std::string schema = R"({"client_id": {"required": true}})";
    BOOST_TEST(bindProfile("", dir.path(), "", schema).errors ==
                   (std::vector<std::string>{"test.yaml:2:3: error: profile 'p' (flow pat) needs 'client_id'"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(UnknownFlowKeyWithSuggestion)
{
    TempDir dir;
    Bound bound = bindProfile("    token: x\n"
                       "    tokn: y\n"
                       "    colour: red\n",
                       dir.path());
    BOOST_TEST(bound.errors ==
                   (std::vector<std::string>{
                       "test.yaml:7:5: error: unknown key 'colour' for flow 'pat' in profile 'p'",
                       "test.yaml:6:5: error: unknown key 'tokn' for flow 'pat' in profile 'p' (did you mean 'token'?)"}),
               boost::test_tools::per_element());
    BOOST_TEST(!bound.settings->has("tokn"));
}

BOOST_AUTO_TEST_CASE(UnknownKeysFromDefaultsAreIgnored)
{
    TempDir dir;
    // Defaults are shared by profiles of different flows.
    Bound bound = bindProfile("    token: x\n", dir.path(),
                       "  private_key: { file: /does/not/exist.pem }\n"
                       "  client_id: shared\n");
    BOOST_TEST(bound.errors.empty());
    BOOST_TEST(!bound.settings->has("private_key"));
    BOOST_TEST(bound.settings->getValue<std::string>("client_id") == "shared");
}

BOOST_AUTO_TEST_CASE(DurationsBecomeSeconds)
{
    TempDir dir;
    const std::vector<std::pair<std::string, Poco::Int64>> cases = {
        {"900", 900}, {"90s", 90}, {"15m", 900}, {"1h", 3600}, {"1d", 86400}, {"1h30m", 5400}};
    for (const auto& [text, seconds] : cases)
    {
        Bound bound = bindProfile("    token: x\n    duration: " + text + "\n", dir.path());
        BOOST_TEST(bound.errors.empty(), text);
        const Poco::Dynamic::Var value = bound.settings->get("duration");
        BOOST_TEST(value.isInteger(), text);
        BOOST_TEST(value.convert<Poco::Int64>() == seconds, text);
    }
    BOOST_TEST(bindProfile("    token: x\n    duration: soon\n", dir.path()).errors ==
                   (std::vector<std::string>{"test.yaml:6:15: error: 'duration' must be a duration: seconds, or a number "
                                             "with s, m, h or d (e.g. 90s, 15m, 1h)"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(BooleansAndIntegers)
{
    TempDir dir;
    Bound yes = bindProfile("    token: x\n    verify: true\n    retries: 3\n", dir.path());
    BOOST_TEST(yes.errors.empty());
    BOOST_TEST((yes.settings->get("verify").type() == typeid(bool)));
    BOOST_TEST(yes.settings->getValue<bool>("verify") == true);
    BOOST_TEST(yes.settings->get("retries").isInteger());
    BOOST_TEST(yes.settings->getValue<Poco::Int64>("retries") == 3);
    BOOST_TEST(bindProfile("    token: x\n    verify: false\n", dir.path()).settings->getValue<bool>("verify") == false);
    // The JSON a plugin receives carries real booleans and numbers.
    BOOST_TEST(json(yes.settings).find("\"verify\":true") != std::string::npos);
    BOOST_TEST(json(yes.settings).find("\"retries\":3") != std::string::npos);

    Bound bad = bindProfile("    token: x\n    verify: maybe\n    retries: three\n", dir.path());
    BOOST_TEST(bad.errors == (std::vector<std::string>{"test.yaml:7:14: error: 'retries' must be an integer",
                                                       "test.yaml:6:13: error: 'verify' must be true or false"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ObjectsAndListsPassThrough)
{
    TempDir dir;
    Bound bound = bindProfile("    token: x\n"
                       "    claims: { aud: api, nested: { k: v }, list: [a, b] }\n"
                       "    scopes: [read, write]\n",
                       dir.path());
    BOOST_TEST(bound.errors.empty());
    auto claims = bound.settings->getObject("claims");
    BOOST_TEST_REQUIRE(claims);
    BOOST_TEST(claims->getValue<std::string>("aud") == "api");
    BOOST_TEST_REQUIRE(claims->getObject("nested"));
    BOOST_TEST(claims->getObject("nested")->getValue<std::string>("k") == "v");
    BOOST_TEST_REQUIRE(claims->getArray("list"));
    BOOST_TEST(json(claims->get("list")) == "[\"a\",\"b\"]");
    auto scopes = bound.settings->getArray("scopes");
    BOOST_TEST_REQUIRE(scopes);
    BOOST_TEST(json(bound.settings->get("scopes")) == "[\"read\",\"write\"]");

    Bound bad = bindProfile("    token: x\n    claims: aud\n    scopes: { a: b }\n", dir.path());
    BOOST_TEST(bad.errors == (std::vector<std::string>{"test.yaml:6:13: error: 'claims' must be a mapping",
                                                       "test.yaml:7:13: error: 'scopes' must be a list"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(BaseUrlsAreAdded)
{
    TempDir dir;
    Bound com = bindProfile("    token: x\n    base_url: https://api.coze.com\n", dir.path());
    BOOST_TEST(com.settings->getValue<std::string>("base_url") == "https://api.coze.com");
    BOOST_TEST(com.settings->getValue<std::string>("www_base_url") == "https://www.coze.com");
    Bound own = bindProfile("    token: x\n    base_url: http://127.0.0.1:8443\n    www_base_url: http://127.0.0.1:8444/\n",
                     dir.path());
    BOOST_TEST(own.settings->getValue<std::string>("base_url") == "http://127.0.0.1:8443");
    BOOST_TEST(own.settings->getValue<std::string>("www_base_url") == "http://127.0.0.1:8444");
}

BOOST_AUTO_TEST_CASE(LocatesSettings)
{
    Config config = ConfigLoader::loadString("profiles:\n"
                                             "  p:\n"
                                             "    flow: pat\n"
                                             "    token: abc\n"
                                             "    outputs: [ { file: /x } ]\n",
                                             "test.yaml", "/etc/tb");
    BOOST_TEST(locateSetting(config.profiles.at(0), "token").str() == "test.yaml:4:12");
    BOOST_TEST(locateSetting(config.profiles.at(0), "client_id").str() == "test.yaml:2:3");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(WwwBaseUrl)

namespace {

std::string www(const std::string& baseUrl, const std::string& explicitWww = "")
{
    ProfileSpec profile;
    profile.baseUrl = baseUrl;
    profile.wwwBaseUrl = explicitWww;
    return deriveWwwBaseUrl(profile);
}

} // namespace

BOOST_AUTO_TEST_CASE(DerivedFromTheOfficialApiHosts)
{
    BOOST_TEST(www("https://api.coze.cn") == "https://www.coze.cn");
    BOOST_TEST(www("https://api.coze.com") == "https://www.coze.com");
}

BOOST_AUTO_TEST_CASE(OtherBasesAreKept)
{
    BOOST_TEST(www("https://api.example.org") == "https://api.example.org");
    BOOST_TEST(www("https://127.0.0.1:8443") == "https://127.0.0.1:8443");
    BOOST_TEST(www("https://api.coze.cn.evil.example") == "https://api.coze.cn.evil.example");
}

BOOST_AUTO_TEST_CASE(ExplicitWwwBaseUrlWins)
{
    BOOST_TEST(www("https://api.coze.cn", "https://login.example.org") == "https://login.example.org");
    BOOST_TEST(www("https://api.example.org", "https://www.example.org") == "https://www.example.org");
}

BOOST_AUTO_TEST_SUITE_END()
