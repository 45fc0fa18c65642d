#include <boost/test/unit_test.hpp>

#include "OutputsTestSupport.h"
#include "StateStore.h"
#include "TempDir.h"
#include "TestPlatform.h"

#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <string>
#include <thread>
#include <vector>

using namespace TokenBroker;
using namespace TokenBroker::Test;

namespace {

const std::string kIdentity = "pat|client-1|https://api.coze.cn";

Token sampleToken()
{
    Token token;
    token.accessToken = "pat_stored";
    token.expiresAt = 1800000000;
    token.tokenType = "Bearer";
    token.obtainedAt = 1799990000;
    return token;
}

Poco::JSON::Object::Ptr parseObject(const std::string& json)
{
    return Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
}

} // namespace

BOOST_AUTO_TEST_SUITE(State)

BOOST_AUTO_TEST_CASE(PrivateDirectoryAndFile)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    // Permissions must not depend on the daemon's umask.
    ScopedUmask umask(0);
    TempDir dir;
    const std::string stateDir = dir.file("var/state");
    StateStore store(stateDir);
    BOOST_TEST(store.pathFor("p") == stateDir + "/p.json");
    store.saveToken("p", kIdentity, sampleToken());
    BOOST_TEST(modeOf(stateDir) == 0700u);
    BOOST_TEST(modeOf(stateDir + "/p.json") == 0600u);
    BOOST_TEST(entries(stateDir) == (std::vector<std::string>{"p.json"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(ExistingOpenDirectoryIsTightened)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    TempDir dir;
    const std::string stateDir = dir.file("state");
    Poco::File(stateDir).createDirectory();
    setMode(stateDir, 0755);
    StateStore(stateDir).savePluginState("p", kIdentity, "{}");
    BOOST_TEST(modeOf(stateDir) == 0700u);
}

BOOST_AUTO_TEST_CASE(TokenRoundTrip)
{
    TempDir dir;
    StateStore(dir.path()).saveToken("p", kIdentity, sampleToken());
    // A new store (a restarted daemon) reads what the old one wrote.
    auto token = StateStore(dir.path()).loadToken("p", kIdentity);
    BOOST_TEST_REQUIRE(token.has_value());
    BOOST_TEST(token->accessToken == "pat_stored");
    BOOST_TEST(token->expiresAt == 1800000000);
    BOOST_TEST(token->tokenType == "Bearer");
    BOOST_TEST(token->obtainedAt == 1799990000);
    BOOST_TEST(!StateStore(dir.path()).loadToken("other", kIdentity).has_value());
}

BOOST_AUTO_TEST_CASE(PluginStateRoundTrip)
{
    TempDir dir;
    StateStore store(dir.path());
    BOOST_TEST(store.loadPluginState("p", kIdentity) == "{}");
    store.savePluginState("p", kIdentity, R"({"refresh_token":"r1","n":2})");
    auto state = parseObject(StateStore(dir.path()).loadPluginState("p", kIdentity));
    BOOST_TEST(state->getValue<std::string>("refresh_token") == "r1");
    BOOST_TEST(state->getValue<int>("n") == 2);

    // Token and plugin state live side by side: saving one keeps the other.
    store.saveToken("p", kIdentity, sampleToken());
    BOOST_TEST(parseObject(store.loadPluginState("p", kIdentity))->getValue<std::string>("refresh_token") == "r1");
    store.savePluginState("p", kIdentity, R"({"refresh_token":"r2"})");
    BOOST_TEST(store.loadToken("p", kIdentity).has_value());
    BOOST_TEST(parseObject(store.loadPluginState("p", kIdentity))->getValue<std::string>("refresh_token") == "r2");

    // Expired token dropped, refresh token kept.
    store.clearToken("p", kIdentity);
    BOOST_TEST(!store.loadToken("p", kIdentity).has_value());
    BOOST_TEST(parseObject(store.loadPluginState("p", kIdentity))->getValue<std::string>("refresh_token") == "r2");
}

BOOST_AUTO_TEST_CASE(InvalidPluginStateIsRefused)
{
    TempDir dir;
    StateStore store(dir.path());
    store.savePluginState("p", kIdentity, R"({"refresh_token":"r1"})");
    const std::string before = readFile(store.pathFor("p"));
    BOOST_CHECK_THROW(store.savePluginState("p", kIdentity, "not json"), std::exception);
    BOOST_TEST(readFile(store.pathFor("p")) == before);
}

BOOST_AUTO_TEST_CASE(ChangedIdentityReadsAsEmpty)
{
    TempDir dir;
    StateStore store(dir.path());
    store.savePluginState("p", kIdentity, R"({"refresh_token":"r1"})");
    store.saveToken("p", kIdentity, sampleToken());
    const std::string otherClient = "pat|client-2|https://api.coze.cn";
    BOOST_TEST(!store.loadToken("p", otherClient).has_value());
    BOOST_TEST(store.loadPluginState("p", otherClient) == "{}");
    // Reading under another identity does not destroy the stored state...
    BOOST_TEST(store.loadToken("p", kIdentity).has_value());
    // ...but writing under the new identity starts afresh.
    store.savePluginState("p", otherClient, R"({"refresh_token":"fresh"})");
    BOOST_TEST(!store.loadToken("p", otherClient).has_value());
    BOOST_TEST(store.loadPluginState("p", kIdentity) == "{}");
}

BOOST_AUTO_TEST_CASE(CorruptFileIsMovedAside)
{
    TempDir dir;
    StateStore store(dir.path());
    const std::string path = store.pathFor("p");
    const std::string garbage = "{\"plugin\": {\"refresh_token\": \"r1\"";  // cut off mid-write by hand
    writeFile(path, garbage, 0600);

    BOOST_TEST(!store.loadToken("p", kIdentity).has_value());
    BOOST_TEST(readFile(path + ".corrupt") == garbage);
    BOOST_TEST(entries(dir.path()) == (std::vector<std::string>{"p.json.corrupt"}), boost::test_tools::per_element());

    // New state goes to a fresh file; the evidence stays.
    store.saveToken("p", kIdentity, sampleToken());
    BOOST_TEST(store.loadToken("p", kIdentity).has_value());
    BOOST_TEST(readFile(path + ".corrupt") == garbage);
    BOOST_TEST(entries(dir.path()) == (std::vector<std::string>{"p.json", "p.json.corrupt"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(NonObjectJsonIsCorruptToo)
{
    TempDir dir;
    StateStore store(dir.path());
    writeFile(store.pathFor("p"), "[1, 2, 3]", 0600);
    BOOST_TEST(store.loadPluginState("p", kIdentity) == "{}");
    BOOST_TEST(readFile(store.pathFor("p") + ".corrupt") == "[1, 2, 3]");
}

BOOST_AUTO_TEST_CASE(SavingOverACorruptFileKeepsIt)
{
    TempDir dir;
    StateStore store(dir.path());
    writeFile(store.pathFor("p"), "garbage", 0600);
    // A write without a prior read must not silently replace the bad file.
    store.savePluginState("p", kIdentity, R"({"refresh_token":"r9"})");
    BOOST_TEST(readFile(store.pathFor("p") + ".corrupt") == "garbage");
    BOOST_TEST(parseObject(store.loadPluginState("p", kIdentity))->getValue<std::string>("refresh_token") == "r9");
}

BOOST_AUTO_TEST_CASE(LeftoverTemporariesGoWithTheirProfilesFirstWrite)
{
    // What killed writers left: two temporaries of p, one of q, and a
    // file that only looks similar.
    TempDir dir;
    for (const char* name : {".p.json.tmp.1a2b", ".p.json.tmp.3c4d", ".q.json.tmp.5e6f", "p.json.tmp.notours"})
        writeFile(dir.file(name), "partial", 0600);
    StateStore store(dir.path());
    store.saveToken("p", kIdentity, sampleToken());
    BOOST_TEST((entries(dir.path()) ==
                std::vector<std::string>{".q.json.tmp.5e6f", "p.json", "p.json.tmp.notours"}),
               "q's leftover stays until q is written under its lock");
    store.saveToken("q", kIdentity, sampleToken());
    BOOST_TEST((entries(dir.path()) == std::vector<std::string>{"p.json", "p.json.tmp.notours", "q.json"}));
    // The next writes of p and q need no listing and find nothing to do.
    store.saveToken("p", kIdentity, sampleToken());
    store.saveToken("q", kIdentity, sampleToken());
    BOOST_TEST((entries(dir.path()) == std::vector<std::string>{"p.json", "p.json.tmp.notours", "q.json"}));
    BOOST_TEST(store.loadToken("q", kIdentity)->accessToken == "pat_stored");
}

BOOST_AUTO_TEST_CASE(ConcurrentWritesOfOneProfileLoseNothingAndOthersKeepTheirOwn)
{
    // Many profiles write at once (their locks are striped); the token and
    // the plugin state of one profile, saved from two threads, both stay:
    // each read-modify-write of a profile's file is whole.
    TempDir dir;
    StateStore store(dir.path());
    constexpr int kProfiles = 40;
    constexpr int kRounds = 5;
    std::vector<std::thread> threads;
    for (int half = 0; half < 2; ++half)
    {
        threads.emplace_back([&, half] {
            for (int round = 0; round < kRounds; ++round)
            {
                for (int i = 0; i < kProfiles; ++i)
                {
                    const std::string name = "p" + std::to_string(i);
                    if (half == 0)
                    {
                        Token token = sampleToken();
                        token.accessToken = "pat_" + name + "_" + std::to_string(round);
                        store.saveToken(name, kIdentity, token);
                    }
                    else
                        store.savePluginState(name, kIdentity,
                                              R"({"refresh_token":"r_)" + name + "_" + std::to_string(round) + R"("})");
                }
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    const std::string last = std::to_string(kRounds - 1);
    for (int i = 0; i < kProfiles; ++i)
    {
        const std::string name = "p" + std::to_string(i);
        StateStore reader(dir.path());
        auto token = reader.loadToken(name, kIdentity);
        BOOST_TEST_REQUIRE(token.has_value(), name);
        BOOST_TEST(token->accessToken == "pat_" + name + "_" + last);
        BOOST_TEST(parseObject(reader.loadPluginState(name, kIdentity))->getValue<std::string>("refresh_token") ==
                   "r_" + name + "_" + last);
    }
}

BOOST_AUTO_TEST_SUITE_END()
