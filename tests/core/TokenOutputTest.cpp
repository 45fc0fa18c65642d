#include <boost/test/unit_test.hpp>

#include "ConfigLoader.h"
#include "FileOutput.h"
#include "Output.h"
#include "OutputsTestSupport.h"
#include "TempDir.h"
#include "TestPlatform.h"
#include "TokenFormat.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace TokenBroker;
using namespace TokenBroker::Test;

namespace {

Token tokenOf(const std::string& accessToken, std::int64_t expiresAt = 1700000000)
{
    Token token;
    token.accessToken = accessToken;
    token.expiresAt = expiresAt;
    token.tokenType = "Bearer";
    token.obtainedAt = 1699990000;
    return token;
}

/// What a POSIX shell sees in $NAME after sourcing an env-file, the way
/// `set -a; . FILE` (and scripts built on it) read these files.
std::string sourceWithShell(const std::string& path, const std::string& name)
{
    ChildProcess::Options options;
    options.args = {"-c", "set -a; . \"$1\" || exit 3; printf %s \"$" + name + "\"", "sh", path};
    RunResult result = run("/bin/sh", options, std::chrono::seconds(20));
    BOOST_TEST(result.status == 0, "sh failed: " << result.err);
    return result.out;
}

/// Why the env-file cases do not run on Windows.
constexpr const char* kEnvIsTheRegistry =
    "an env output is the registry environment on Windows, not an env-file (RegistryEnvTest)";

OutputSpec fileSpec(const std::string& path, const std::string& format = "raw")
{
    OutputSpec spec;
    spec.kind = OutputSpec::Kind::File;
    spec.path = path;
    spec.format = format;
    return spec;
}

} // namespace

BOOST_AUTO_TEST_SUITE(TokenFormats)

BOOST_AUTO_TEST_CASE(RawIsTheTokenAndANewline)
{
    BOOST_TEST(formatToken(tokenOf("pat_abc"), "raw", "", "p") == "pat_abc\n");
    BOOST_TEST(formatToken(tokenOf("with space"), "raw", "IGNORED", "p") == "with space\n");
}

BOOST_AUTO_TEST_CASE(JsonHasExactlyTheDocumentedFields)
{
    const std::string text = formatToken(tokenOf("pat_\"quoted\"\\x"), "json", "", "chat-prod");
    auto object = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
    std::vector<std::string> names;
    object->getNames(names);
    std::sort(names.begin(), names.end());
    BOOST_TEST(names == (std::vector<std::string>{"access_token", "expires_at", "profile", "token_type"}),
               boost::test_tools::per_element());
    BOOST_TEST(object->getValue<std::string>("access_token") == "pat_\"quoted\"\\x");
    BOOST_TEST(object->get("expires_at").isInteger());
    BOOST_TEST(object->getValue<Poco::Int64>("expires_at") == 1700000000);
    BOOST_TEST(object->getValue<std::string>("token_type") == "Bearer");
    BOOST_TEST(object->getValue<std::string>("profile") == "chat-prod");
    // An integer in the text, not a string or a float.
    BOOST_TEST(contains(text, "\"expires_at\":1700000000"));

    auto forever = Poco::JSON::Parser().parse(formatToken(tokenOf("t", 0), "json", "", "p")).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(forever->get("expires_at").isInteger());
    BOOST_TEST(forever->getValue<Poco::Int64>("expires_at") == 0);
}

BOOST_AUTO_TEST_CASE(EnvIsNameEqualsToken)
{
    BOOST_TEST(formatToken(tokenOf("pat_abc-123.XYZ"), "env", "COZE_API_TOKEN", "p") == "COZE_API_TOKEN=pat_abc-123.XYZ\n");
    BOOST_TEST(formatToken(tokenOf("eyJhbGciOi.eyJzdWIi.sig_-"), "env", "T", "p") == "T=eyJhbGciOi.eyJzdWIi.sig_-\n");
}

BOOST_AUTO_TEST_CASE(EnvQuotingRoundTripsThroughAShell)
{
    TOKENBROKER_SKIP_ON_WINDOWS("the env file format is checked by sourcing it with /bin/sh, which the Windows build has not");
    TempDir dir;
    const std::vector<std::string> tokens = {
        "plain_token",        "with space",        "it's",          "double\"quote",  "a'b'c''",
        "$HOME and `id`",     "back\\slash\\n",    "semi;colon|&",  "*glob?[x]",      "tab\there",
        "#hash",              "trailing space ",   "$(reboot)",     "''",             "!bang",
        // RFC 6750 b64token allows '~'; a shell assignment expands a leading one.
        "~",                  "~root",             "~/x",           "a=b",            "x:~/y",
    };
    for (const auto& value : tokens)
    {
        const std::string path = dir.file("token.env");
        OutputSpec spec = fileSpec(path, "env");
        spec.variable = "TB_ROUNDTRIP";
        FileOutput named(spec);
        named.publish(tokenOf(value), "p");
        BOOST_TEST(sourceWithShell(path, "TB_ROUNDTRIP") == value, "token <" << value << "> file: " << readFile(path));
        // One line, so systemd's EnvironmentFile= reads one assignment.
        const std::string content = readFile(path);
        BOOST_TEST(content.rfind("TB_ROUNDTRIP=", 0) == 0u);
        BOOST_TEST(std::count(content.begin(), content.end(), '\n') == 1);
        BOOST_TEST(content.back() == '\n');
    }
}

BOOST_AUTO_TEST_CASE(UnknownFormatIsRejected)
{
    BOOST_CHECK_THROW(formatToken(tokenOf("t"), "yaml", "", "p"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Outputs)

BOOST_AUTO_TEST_CASE(FileOutputPublishesAndWithdraws)
{
    std::optional<ScopedUmask> umask;
    if (!onWindows())
        umask.emplace(022);
    TempDir dir;
    const std::string path = dir.file("run/p.token");
    FileOutput output(fileSpec(path));
    BOOST_TEST(output.target() == path);
    // Windows: the DACL of docs/windows-security.md (applied: WindowsSecurityTest).
    const std::string access = onWindows() ? "ACL: SYSTEM, Administrators, the service account" : "0600";
    BOOST_TEST(output.describe() == "file " + path + " (raw, " + access + ")");
    output.publish(tokenOf("first"), "p");
    BOOST_TEST(readFile(path) == "first\n");
    if (!onWindows())
        BOOST_TEST(modeOf(path) == 0600u);
    output.publish(tokenOf("second"), "p");
    BOOST_TEST(readFile(path) == "second\n");
    BOOST_TEST(entries(dir.file("run")) == (std::vector<std::string>{"p.token"}), boost::test_tools::per_element());
    output.withdraw();
    BOOST_TEST(entries(dir.file("run")).empty());
    BOOST_CHECK_NO_THROW(output.withdraw());
}

BOOST_AUTO_TEST_CASE(FileOutputAppliesModeAndFormat)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    TempDir dir;
    OutputSpec spec = fileSpec(dir.file("p.json"), "json");
    spec.mode = 0644;
    FileOutput output(spec);
    BOOST_TEST(output.describe() == "file " + dir.file("p.json") + " (json, 0644)");
    output.publish(tokenOf("tok"), "prof");
    BOOST_TEST(modeOf(dir.file("p.json")) == 0644u);
    auto object = Poco::JSON::Parser().parse(readFile(dir.file("p.json"))).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(object->getValue<std::string>("access_token") == "tok");
    BOOST_TEST(object->getValue<std::string>("profile") == "prof");
}

BOOST_AUTO_TEST_CASE(FileOutputFailureKeepsThePreviousToken)
{
    TempDir dir;
    OutputSpec spec = fileSpec(dir.file("p.token"));
    FileOutput good(spec);
    good.publish(tokenOf("previous"), "p");
    spec.owner = "no-such-user-tokenbroker";
    FileOutput broken(spec);
    BOOST_CHECK_THROW(broken.publish(tokenOf("next"), "p"), WriteError);
    BOOST_TEST(readFile(dir.file("p.token")) == "previous\n");
}

BOOST_AUTO_TEST_CASE(EnvOutputWritesAnEnvFile)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kEnvIsTheRegistry);
    TempDir dir;
    OutputSpec spec;
    spec.kind = OutputSpec::Kind::Env;
    spec.variable = "MY_TOKEN";
    spec.path = dir.file("p.env");
    auto output = makeOutput(spec);
    output->publish(tokenOf("pat_env"), "p");
    BOOST_TEST(readFile(dir.file("p.env")) == "MY_TOKEN=pat_env\n");
    BOOST_TEST(modeOf(dir.file("p.env")) == 0600u);
    BOOST_TEST(output->target() == dir.file("p.env"));
    BOOST_TEST(sourceWithShell(dir.file("p.env"), "MY_TOKEN") == "pat_env");
    output->withdraw();
    BOOST_TEST(entries(dir.path()).empty());
}

BOOST_AUTO_TEST_CASE(ConfiguredOutputsWriteWhereTheConfigSays)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kEnvIsTheRegistry);
    TempDir dir;
    Config config = ConfigLoader::loadString("broker:\n"
                                             "  state_dir: state\n"
                                             "profiles:\n"
                                             "  p:\n"
                                             "    flow: pat\n"
                                             "    outputs:\n"
                                             "      - env: COZE_API_TOKEN\n"
                                             "      - file: out/p.env\n"
                                             "        format: env\n"
                                             "        mode: \"0640\"\n",
                                             "test.yaml", dir.path());
    const auto& outputs = config.profiles.at(0).outputs;
    BOOST_TEST_REQUIRE(outputs.size() == 2u);
    for (const auto& spec : outputs)
        makeOutput(spec)->publish(tokenOf("pat_cfg"), "p");
    BOOST_TEST(readFile(dir.file("state/p.env")) == "COZE_API_TOKEN=pat_cfg\n");
    BOOST_TEST(readFile(dir.file("out/p.env")) == "COZE_API_TOKEN=pat_cfg\n");
    BOOST_TEST(modeOf(dir.file("out/p.env")) == 0640u);
}

BOOST_AUTO_TEST_CASE(ValidateOutputChecksOwnersAtTheirPosition)
{
    // An account every system has: root, or on Windows SYSTEM.
    const std::string knownAccount = onWindows() ? "SYSTEM" : "root";
    Config config = ConfigLoader::loadString("profiles:\n"
                                             "  p:\n"
                                             "    flow: pat\n"
                                             "    outputs:\n"
                                             "      - file: /x\n"
                                             "        owner: " + knownAccount + "\n"
                                             "      - file: /y\n"
                                             "        owner: no-such-user-tokenbroker\n"
                                             "      - file: /z\n"
                                             "        group: no-such-group-tokenbroker\n",
                                             "test.yaml", "/etc/tb");
    const auto& outputs = config.profiles.at(0).outputs;
    BOOST_CHECK_NO_THROW(validateOutput(outputs.at(0)));
    BOOST_CHECK_EXCEPTION(validateOutput(outputs.at(1)), ConfigError, [](const ConfigError& e) {
        return std::string(e.what()) == "test.yaml:7:9: error: output owner 'no-such-user-tokenbroker' is not a known user";
    });
    BOOST_CHECK_EXCEPTION(validateOutput(outputs.at(2)), ConfigError, [](const ConfigError& e) {
        return std::string(e.what()) ==
               "test.yaml:9:9: error: output group 'no-such-group-tokenbroker' is not a known group";
    });
}

BOOST_AUTO_TEST_CASE(ValidateOutputRefusesUserOnEnvFiles)
{
    // 'user' picks a Windows registry hive; an env-file has owner/group.
    TOKENBROKER_SKIP_ON_WINDOWS("there an env output is the registry, where 'user' is valid (RegistryEnvTest)");
    Config config = ConfigLoader::loadString("profiles:\n"
                                             "  p:\n"
                                             "    flow: pat\n"
                                             "    outputs:\n"
                                             "      - env: T\n"
                                             "        user: alice\n",
                                             "test.yaml", "/etc/tb");
    BOOST_CHECK_EXCEPTION(validateOutput(config.profiles.at(0).outputs.at(0)), ConfigError, [](const ConfigError& e) {
        return std::string(e.what()) ==
               "test.yaml:6:15: error: 'user' applies to Windows registry environments only; here an env output is an "
               "env-file: give it owner/group (and mode) for the user who reads it";
    });
}

BOOST_AUTO_TEST_SUITE_END()
