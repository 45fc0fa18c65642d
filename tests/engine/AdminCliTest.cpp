#define BOOST_TEST_MODULE AdminCliTest
#include <boost/test/unit_test.hpp>

// The CLI against a running daemon, as an operator and a credential helper
// use it: `status` in aligned columns or JSON, found without reading the
// configuration; `token` in every format, asked of the daemon without
// touching state or outputs, never handing out a token about to expire,
// and obtaining one itself only when no daemon runs.

#include "EngineTestSupport.h"
#include "PosixSystem.h"
#include "TestPlatform.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Timestamp.h>

#include <set>
#include <sstream>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

const std::string kLongName = "a-profile-with-a-long-name";
const std::string kPatToken = "pat_cli_0123456789abcdef";

/// svc (jwt) and a pat profile with a long name, their daemon ready.
struct CliWorld
{
    explicit CliWorld(const std::string& svcExtra = "", const std::string& brokerExtra = kFastRefresh)
        : emulator(startEmulator())
    {
        config.write({config.jwtProfile("svc", *emulator, svcExtra), config.patProfile(kLongName, kPatToken)},
                     brokerExtra);
        daemon = std::make_unique<DaemonProcess>(config);
        if (!waitUntil([&] { return profileStatus(*daemon, "svc") == "ready" &&
                                    profileStatus(*daemon, kLongName) == "ready"; }, 20s))
            throw std::runtime_error("the daemon did not get ready:\n" + daemon->log());
    }

    std::unique_ptr<EmulatorProcess> emulator;
    BrokerConfig config;
    std::unique_ptr<DaemonProcess> daemon;
};

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

std::string isoTime(std::int64_t seconds)
{
    return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(seconds), "%Y-%m-%dT%H:%M:%SZ");
}

/// Every file under the state directory and the outputs, as an operator
/// would compare them: content, mtime and inode.
std::map<std::string, FileState> filesOf(const BrokerConfig& config)
{
    std::map<std::string, FileState> files;
    for (const std::string& dir : {config.stateDir(), config.outDir()})
    {
        for (const auto& name : listDirectory(dir))
            files[dir + "/" + name] = fileState(dir + "/" + name);
    }
    return files;
}

} // namespace

BOOST_AUTO_TEST_CASE(status_prints_aligned_columns_and_json_on_request)
{
    CliWorld world;
    const RunResult status = broker({"status", "-c", world.config.path});
    BOOST_TEST_REQUIRE(status.status == 0, status.out << status.err);
    const auto rows = lines(status.out);
    BOOST_TEST_REQUIRE(rows.size() == 3u, status.out);
    const std::string& header = rows[0];
    BOOST_TEST(header.rfind("PROFILE", 0) == 0, header);
    // Each column starts where its heading does, on every row.
    const auto flowColumn = header.find("FLOW"), stateColumn = header.find("STATE"),
               expiresColumn = header.find("EXPIRES");
    BOOST_TEST(flowColumn == kLongName.size() + 2);
    for (std::size_t i = 1; i < rows.size(); ++i)
    {
        BOOST_TEST_CONTEXT(rows[i])
        {
            const bool isSvc = rows[i].rfind("svc ", 0) == 0;
            BOOST_TEST(rows[i].compare(flowColumn, 3, isSvc ? "jwt" : "pat") == 0);
            BOOST_TEST(rows[i].compare(stateColumn, 5, "ready") == 0);
            BOOST_TEST(rows[i].compare(expiresColumn, 1, isSvc ? "2" : "-") == 0);
        }
    }
    // svc's expiry as the daemon reports it (asked on both sides of the
    // command, so a renewal in between is seen and the command run again).
    auto expiresAt = [&] { return profileView(*world.daemon, "svc")->getValue<Poco::Int64>("expires_at"); };
    std::string shown;
    BOOST_TEST(waitUntil([&] {
                   const auto before = expiresAt();
                   shown = broker({"status", "-c", world.config.path}).out;
                   return before == expiresAt() && contains(shown, isoTime(before));
               }, 10s),
               shown);

    const RunResult json = broker({"status", "--json", "-c", world.config.path});
    BOOST_TEST_REQUIRE(json.status == 0, json.err);
    auto list = Poco::JSON::Parser().parse(json.out).extract<Poco::JSON::Array::Ptr>();
    BOOST_TEST_REQUIRE(list->size() == 2u);
    std::set<std::string> names;
    for (std::size_t i = 0; i < list->size(); ++i)
        names.insert(list->getObject(static_cast<unsigned>(i))->getValue<std::string>("name"));
    BOOST_TEST((names == std::set<std::string>{"svc", kLongName}));
    BOOST_TEST(!contains(json.out, kPatToken));
}

BOOST_AUTO_TEST_CASE(status_finds_the_daemon_for_a_user_who_cannot_read_the_configuration)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    BOOST_TEST_REQUIRE(runningAsRoot(), "needs root to run the CLI as nobody");
    CliWorld world;
    BOOST_TEST_REQUIRE(runAs(kNobody, kNogroup, {}, "/bin/cat", {world.config.path}).status != 0,
                       "nobody can read the configuration; the case would prove nothing");
    const RunResult status =
        runAs(kNobody, kNogroup, {}, TOKENBROKER_EXE, {"status", "-c", world.config.path, "--admin", world.daemon->adminUrl()});
    BOOST_TEST(status.status == 0, status.out << status.err);
    BOOST_TEST(contains(status.out, "svc "), status.out);
    BOOST_TEST(!contains(status.err, "Permission denied"), status.err);
    // What nobody cannot do: read the token, with or without the endpoint.
    const RunResult token = runAs(kNobody, kNogroup, {}, TOKENBROKER_EXE,
                                  {"token", "svc", "-c", world.config.path, "--admin", world.daemon->adminUrl()});
    BOOST_TEST(token.status == 1, token.out << token.err);
    BOOST_TEST(contains(token.err, "admin.token"), token.err);
    BOOST_TEST(token.out.empty());
}

BOOST_AUTO_TEST_CASE(token_asks_the_daemon_in_every_format_and_changes_nothing)
{
    CliWorld world;
    const std::string fileToken = readFile(world.config.tokenFile("svc"));
    const auto before = filesOf(world.config);
    const std::size_t requestsBefore = requestTimes(*world.emulator, kTokenPath).size();
    const auto view = profileView(*world.daemon, "svc");
    const auto expiresAt = view->getValue<Poco::Int64>("expires_at");

    const RunResult raw = broker({"token", "svc", "-c", world.config.path});
    BOOST_TEST_REQUIRE(raw.status == 0, raw.err);
    BOOST_TEST(raw.out == fileToken);

    const RunResult json = broker({"token", "svc", "--format", "json", "-c", world.config.path});
    BOOST_TEST_REQUIRE(json.status == 0, json.err);
    BOOST_TEST(json.out == readFile(world.config.jsonFile("svc")), "the json output's own format");

    const RunResult env = broker({"token", "svc", "--format", "env", "-c", world.config.path});
    BOOST_TEST_REQUIRE(env.status == 0, env.err);
    BOOST_TEST(env.out == "COZE_API_TOKEN=" + fileToken);

    const RunResult exec = broker({"token", "svc", "--format", "exec-credential", "-c", world.config.path});
    BOOST_TEST_REQUIRE(exec.status == 0, exec.err);
    auto credential = Poco::JSON::Parser().parse(exec.out).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(credential->getValue<std::string>("apiVersion") == "client.authentication.k8s.io/v1");
    BOOST_TEST(credential->getValue<std::string>("kind") == "ExecCredential");
    auto status = credential->getObject("status");
    BOOST_TEST_REQUIRE(status);
    BOOST_TEST(status->getValue<std::string>("token") + "\n" == fileToken);
    BOOST_TEST(status->getValue<std::string>("expirationTimestamp") == isoTime(expiresAt));

    // A pat never expires: no expirationTimestamp, so the client never
    // throws it away on its own.
    const RunResult pat = broker({"token", kLongName, "--format", "exec-credential", "-c", world.config.path});
    BOOST_TEST_REQUIRE(pat.status == 0, pat.err);
    auto patStatus = Poco::JSON::Parser().parse(pat.out).extract<Poco::JSON::Object::Ptr>()->getObject("status");
    BOOST_TEST(patStatus->getValue<std::string>("token") == kPatToken);
    BOOST_TEST(!patStatus->has("expirationTimestamp"));

    // Nothing on disk moved and the server was not asked: the tokens came
    // from the daemon's memory (unless it renewed on its own schedule).
    if (profileView(*world.daemon, "svc")->getValue<Poco::Int64>("expires_at") == expiresAt)
    {
        BOOST_TEST((filesOf(world.config) == before));
        BOOST_TEST(requestTimes(*world.emulator, kTokenPath).size() == requestsBefore);
    }
    else
        BOOST_TEST_MESSAGE("the daemon renewed meanwhile; the unchanged-files check needs a quiet daemon");
}

BOOST_AUTO_TEST_CASE(the_token_endpoint_needs_the_admin_token)
{
    CliWorld world;
    const std::string fileToken = readFile(world.config.tokenFile("svc"));
    const std::string tokenText = fileToken.substr(0, fileToken.size() - 1);
    const HttpResult anonymous = world.daemon->admin("GET", "/v1/profiles/svc/token");
    BOOST_TEST(anonymous.status == 401);
    BOOST_TEST(!contains(anonymous.body, tokenText));
    const HttpResult wrong = world.daemon->admin("GET", "/v1/profiles/svc/token",
                                                 {{"Authorization", "Bearer " + std::string(64, '0')}});
    BOOST_TEST(wrong.status == 401);
    const auto authorization = adminAuthorization(world.config);
    const HttpResult admitted = world.daemon->admin("GET", "/v1/profiles/svc/token", {authorization});
    BOOST_TEST(admitted.status == 200);
    BOOST_TEST(contains(admitted.body, "\"access_token\":\"" + tokenText + "\""), admitted.body);
    BOOST_TEST(world.daemon->admin("GET", "/v1/profiles/nosuch/token", {authorization}).status == 404);
    BOOST_TEST(world.daemon->admin("POST", "/v1/profiles/svc/token", {authorization}).status == 404);
}

BOOST_AUTO_TEST_CASE(token_never_hands_out_a_token_about_to_expire)
{
    // 4 s tokens renewed at 90 %: from 2 s left (half the lifetime) until
    // the daemon's renewal at 3.6 s, the daemon holds a token `token` must
    // not hand out.
    CliWorld world("    duration: 4s\n", "  refresh: { at: 0.9, min_backoff: 1s, max_backoff: 2s }\n");
    const auto view = profileView(*world.daemon, "svc");
    const auto expiresAt = view->getValue<Poco::Int64>("expires_at");
    const std::string held = readFile(world.config.tokenFile("svc"));
    BOOST_TEST_REQUIRE(waitUntil([&] {
                           return std::chrono::system_clock::now() >=
                                  std::chrono::system_clock::time_point(std::chrono::seconds(expiresAt - 2));
                       }, 10s));
    const RunResult token = broker({"token", "svc", "--format", "json", "-c", world.config.path});
    BOOST_TEST_REQUIRE(token.status == 0, token.err);
    auto printed = Poco::JSON::Parser().parse(token.out).extract<Poco::JSON::Object::Ptr>();
    BOOST_TEST(printed->getValue<std::string>("access_token") + "\n" != held, "the token about to expire");
    BOOST_TEST(printed->getValue<Poco::Int64>("expires_at") > expiresAt);
}

BOOST_AUTO_TEST_CASE(without_a_daemon_token_obtains_one_itself_and_rejects_unknown_formats)
{
    BrokerConfig config;
    config.write({config.patProfile("forever", kPatToken)});
    const RunResult env = broker({"token", "forever", "--format", "env", "-c", config.path});
    BOOST_TEST(env.status == 0, env.err);
    BOOST_TEST(env.out == "COZE_API_TOKEN=" + kPatToken + "\n");
    const RunResult bogus = broker({"token", "forever", "--format", "yaml", "-c", config.path});
    BOOST_TEST(bogus.status == 2);
    BOOST_TEST(contains(bogus.err, "unknown format 'yaml'"), bogus.err);
    BOOST_TEST(bogus.out.empty());
}
