// `tokenbroker login` of a device profile against the real emulator: the
// test reads the user code the broker printed and approves or denies it
// through the emulator's control endpoint, as the user would on the
// verification page.

#include <boost/test/unit_test.hpp>

#include "LoginUser.h"
#include "TestPlatform.h"
#include "TextMatch.h"
#include "OAuthWorld.h"
#include "RecordedRequests.h"

#include <Poco/File.h>

#include <regex>
#include <sys/stat.h>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth;
using namespace std::chrono_literals;

namespace {

const std::string kDevicePollGrant = "urn:ietf:params:oauth:grant-type:device_code";

unsigned permissions(const std::string& path)
{
    struct stat st {};
    BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

/// Time between consecutive device polls as the emulator saw them.
std::vector<std::int64_t> pollGaps(const EmulatorProcess& emulator)
{
    std::vector<std::int64_t> gaps;
    std::int64_t previous = -1;
    for (const auto& request : recordedRequests(emulator))
    {
        const bool isPoll = request.path == kTokenPath && request.bodyString("grant_type") == kDevicePollGrant;
        const bool isStart = request.path.size() >= 12 && request.path.substr(request.path.size() - 12) == "/device/code";
        if (!isPoll && !isStart)
            continue;
        if (isPoll && previous >= 0)
            gaps.push_back(request.receivedMs - previous);
        previous = request.receivedMs;
    }
    return gaps;
}

struct DeviceLogin
{
    OAuthWorld world;
    std::unique_ptr<ChildProcess> login;
    std::string userCode;

    explicit DeviceLogin(EmulatorSettings settings = {}, const std::string& extra = "")
        : world(settings)
    {
        world.writeConfig(world.deviceProfile("dev", extra));
        login = world.startLogin("dev");
        userCode = readUserCode(*login);
    }

    /// Waits for the login to end; its exit status.
    int finish()
    {
        auto status = login->wait(30s);
        BOOST_REQUIRE_MESSAGE(status, "login did not end: " + login->out() + login->err());
        return *status;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(device_login)

BOOST_AUTO_TEST_CASE(approved_code_logs_in_writes_the_token_and_a_private_refresh_token)
{
    DeviceLogin device;
    BOOST_TEST(std::regex_match(device.userCode, std::regex("[A-Z]{4}-[A-Z]{4}")), device.userCode);
    BOOST_TEST(contains(device.login->out(), device.world.emulator().baseUrl() + "/_emulator/device/approve"));
    // The user is slow: the broker shows it is still waiting.
    BOOST_TEST(device.login->waitForOutput("waiting for approval", 10s), device.login->out());
    BOOST_TEST(!Poco::File(device.world.statePath("dev")).exists(), "nothing is stored before approval");

    device.world.emulator().approveDevice(device.userCode);
    BOOST_TEST_REQUIRE(device.finish() == 0, device.login->err());
    BOOST_TEST(contains(device.login->out(), "Logged in."), device.login->out());

    const std::string token = device.world.publishedToken("dev");
    BOOST_TEST(token.rfind("czu_", 0) == 0u, token);
    BOOST_TEST(device.world.serverAccepts(token));
    auto state = device.world.state("dev");
    BOOST_TEST(state->getValue<std::string>("identity") ==
               "device|" + kDeviceClient + "|" + device.world.emulator().baseUrl());
    BOOST_TEST(device.world.storedRefreshToken("dev").size() >= 16u);
    BOOST_TEST(state->getObject("token")->getValue<std::string>("access_token") == token);
    if (!onWindows())  // Windows: the state DACL, WindowsSecurityTest
    {
        BOOST_TEST(permissions(device.world.statePath("dev")) == 0600u);
        BOOST_TEST(permissions(device.world.stateDir()) == 0700u);
    }

    // The broker kept to the 1 s interval: never slowed down by the server.
    BOOST_TEST(!contains(device.login->out(), "slow down"), device.login->out());
    for (std::int64_t gap : pollGaps(device.world.emulator()))
        BOOST_TEST(gap >= 950, "polled after " << gap << " ms");
    // And the refresh token it stored is one the server accepts.
    RunResult once = device.world.broker({"once", "dev"});
    BOOST_TEST(once.status == 0, once.err);
}

BOOST_AUTO_TEST_CASE(denied_code_ends_the_login_with_exit_1)
{
    DeviceLogin device;
    device.world.emulator().approveDevice(device.userCode, true);
    BOOST_TEST(device.finish() == 1);
    BOOST_TEST(contains(device.login->err(), "dev: login failed: access was denied"), device.login->err());
    BOOST_TEST(!contains(device.login->out(), "Logged in."));
    BOOST_TEST(!Poco::File(device.world.outputPath("dev")).exists());
    BOOST_TEST(!Poco::File(device.world.statePath("dev")).exists());
}

BOOST_AUTO_TEST_CASE(code_the_server_declares_expired_ends_the_login_with_exit_1)
{
    DeviceLogin device;
    // The emulator's clock jumps past the code's 300 s lifetime: its next
    // poll answer is expired_token.
    device.world.emulator().advanceClock(301);
    BOOST_TEST(device.finish() == 1);
    BOOST_TEST(contains(device.login->err(), "dev: login failed: the code expired before it was approved; "
                                             "run: tokenbroker login dev"),
               device.login->err());
    BOOST_TEST(!Poco::File(device.world.outputPath("dev")).exists());
}

BOOST_AUTO_TEST_CASE(code_past_its_lifetime_ends_the_login_even_without_the_server_saying_so)
{
    // A 3 s code: the broker stops at the deadline it was given.
    EmulatorSettings settings;
    settings.deviceCodeTtl = 3;
    DeviceLogin device(settings);
    BOOST_TEST(contains(device.login->out(), "The code expires in 1 minute."), device.login->out());
    const auto started = std::chrono::steady_clock::now();
    BOOST_TEST(device.finish() == 1);
    BOOST_TEST((std::chrono::steady_clock::now() - started < 8s));
    BOOST_TEST(contains(device.login->err(), "the code expired before it was approved"), device.login->err());
}

BOOST_AUTO_TEST_CASE(slow_down_adds_5_s_to_the_polling_interval)
{
    OAuthWorld world;
    world.writeConfig(world.deviceProfile("dev"));
    // The first poll is told to slow down.
    world.emulator().addFaults(R"([{"path":"/api/permission/oauth2/token","method":"POST","status":400,"count":1,)"
                               R"("body":"{\"error\":\"slow_down\",\"error_code\":\"slow_down\",)"
                               R"(\"error_message\":\"slow down\"}"}])");
    auto login = world.startLogin("dev");
    const std::string userCode = readUserCode(*login);
    BOOST_TEST_REQUIRE(login->waitForOutput("the server asked to slow down; polling every 6 s", 10s), login->out());
    world.emulator().approveDevice(userCode);
    auto status = login->wait(30s);
    BOOST_TEST_REQUIRE(status.has_value());
    BOOST_TEST(*status == 0, login->err());

    // device/code -> poll 1 (slow_down) -> poll 2 (approved)
    std::vector<std::int64_t> gaps = pollGaps(world.emulator());
    BOOST_TEST_REQUIRE(gaps.size() == 2u);
    BOOST_TEST(gaps[0] >= 950, gaps[0]);
    BOOST_TEST(gaps[0] < 3000, gaps[0]);
    BOOST_TEST(gaps[1] >= 5950, gaps[1]);
    BOOST_TEST(gaps[1] < 9000, gaps[1]);
    BOOST_TEST(gaps[1] - gaps[0] >= 4900, gaps[1] - gaps[0]);
}

BOOST_AUTO_TEST_CASE(workspace_id_uses_the_workspace_device_code_path)
{
    DeviceLogin device({}, "workspace_id: ws-9\n");
    device.world.emulator().approveDevice(device.userCode);
    BOOST_TEST_REQUIRE(device.finish() == 0, device.login->err());
    std::vector<std::string> starts;
    for (const auto& request : recordedRequests(device.world.emulator()))
        if (contains(request.path, "device/code"))
            starts.push_back(request.method + " " + request.path);
    BOOST_TEST_REQUIRE(starts.size() == 1u);
    BOOST_TEST(starts[0] == "POST /api/permission/oauth2/workspace_id/ws-9/device/code");
    BOOST_TEST(device.world.storedRefreshToken("dev").size() >= 16u);
}

BOOST_AUTO_TEST_SUITE_END()
