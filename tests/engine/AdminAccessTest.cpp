#define BOOST_TEST_MODULE AdminAccessTest
#include <boost/test/unit_test.hpp>

// Who may use the admin endpoint, as a hostile neighbour tries it: the admin
// token only the daemon's user can read, another local user held to the
// read-only GETs, a web page's rebound host name refused, answers that say
// their status in words, and connections that cannot be hoarded.

#include "EngineTestSupport.h"
#include "PosixSystem.h"
#include "TestKeys.h"
#include "TestPlatform.h"

#include <Poco/File.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <regex>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

/// A daemon with one pat profile, started and ready.
struct ReadyDaemon
{
    ReadyDaemon()
    {
        config.write({config.patProfile("a", "pat_a_token")});
        daemon = std::make_unique<DaemonProcess>(config);
        BOOST_TEST_REQUIRE(waitUntil([&] { return daemon->admin("GET", "/readyz").status == 200; }, 15s),
                           daemon->log());
    }

    /// "HOST:PORT" of the endpoint, as a client names it.
    std::string hostPort()
    {
        const Poco::URI uri(daemon->adminUrl());
        return uri.getHost() + ":" + std::to_string(uri.getPort());
    }

    BrokerConfig config;
    std::unique_ptr<DaemonProcess> daemon;
};

std::string adminTokenText(const BrokerConfig& config)
{
    return readFile(config.stateDir() + "/admin.token");
}

/// The status code curl gets for one request, run as the user nobody.
std::string curlAsNobody(const std::string& method, const std::string& url)
{
    const RunResult curl = runAs(kNobody, kNogroup, {}, "/usr/bin/curl",
                                 {"-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", method, url});
    BOOST_TEST(curl.status == 0, curl.err);
    return curl.out;
}

/// Whether the server ends the connection (an error answer first, or not)
/// within 30 s; false when it keeps it open that long.
bool closedByServer(Poco::Net::StreamSocket& socket)
{
    socket.setReceiveTimeout(Poco::Timespan(30, 0));
    char buffer[512];
    try
    {
        while (socket.receiveBytes(buffer, sizeof buffer) > 0)
        {
        }
        return true;
    }
    catch (const Poco::TimeoutException&)
    {
        return false;
    }
    catch (const Poco::Net::NetException&)
    {
        return true;  // a reset says the same
    }
}

const std::vector<const char*> kReadOnlyPaths = {"/healthz", "/readyz", "/metrics", "/v1/profiles", "/"};
const std::vector<const char*> kMutatingPaths = {"/v1/reload", "/v1/profiles/a/refresh", "/v1/profiles/nosuch/refresh",
                                                 "/v1/profiles/a/login"};
/// The one GET that answers with a secret, and so needs the token too.
const char* const kSecretPath = "/v1/profiles/a/token";

} // namespace

BOOST_AUTO_TEST_CASE(the_token_is_64_hex_digits_private_to_the_daemons_user_and_new_at_each_start)
{
    ReadyDaemon first;
    const std::string token = adminTokenText(first.config);
    BOOST_TEST(std::regex_match(token, std::regex("[0-9a-f]{64}\n")), token);
    if (!onWindows())
        BOOST_TEST(modeOf(first.config.stateDir() + "/admin.token") == 0600u);
    BOOST_TEST(!contains(first.daemon->log(), token.substr(0, 64)), "the token is never logged");
    BOOST_TEST_REQUIRE(first.daemon->terminate().value_or(-1) == 0);

    DaemonProcess second(first.config);
    BOOST_TEST_REQUIRE(waitUntil([&] { return adminTokenText(first.config) != token; }, 15s), second.log());
    BOOST_TEST(second.adminPost("/v1/profiles/a/refresh").status == 202);
    BOOST_TEST(second.admin("POST", "/v1/profiles/a/refresh", {{"Authorization", "Bearer " + token.substr(0, 64)}})
                   .status == 401,
               "the previous daemon's token admits nothing");
}

BOOST_AUTO_TEST_CASE(another_local_user_gets_401_on_every_post_and_200_on_every_get)
{
    TOKENBROKER_SKIP_ON_WINDOWS("POSIX users (setpriv as nobody); the Windows state directory's ACL is tested in "
                                "tests/windows");
    BOOST_TEST_REQUIRE(runningAsRoot(), "needs root to run curl as nobody");
    ReadyDaemon broker;
    const std::string url = broker.daemon->adminUrl();
    for (const char* path : kReadOnlyPaths)
        BOOST_TEST(curlAsNobody("GET", url + path) == "200", path);
    for (const char* path : kMutatingPaths)
        BOOST_TEST(curlAsNobody("POST", url + path) == "401", path);
    BOOST_TEST(curlAsNobody("GET", url + kSecretPath) == "401");
    const RunResult steal = runAs(kNobody, kNogroup, {}, "/bin/cat", {broker.config.stateDir() + "/admin.token"});
    BOOST_TEST(steal.status != 0);
    BOOST_TEST(steal.out.empty());
    // With the token, the same POSTs act.
    BOOST_TEST(broker.daemon->adminPost("/v1/profiles/a/refresh").status == 202);
}

BOOST_AUTO_TEST_CASE(a_host_header_that_does_not_name_the_endpoint_is_refused)
{
    // DNS rebinding: a page on evil.example resolves its own name to
    // 127.0.0.1; the browser then sends Host: evil.example:PORT.
    ReadyDaemon broker;
    const std::string port = std::to_string(Poco::URI(broker.daemon->adminUrl()).getPort());
    const HttpResult rebound = broker.daemon->admin("GET", "/v1/profiles", {{"Host", "evil.example:" + port}});
    BOOST_TEST(rebound.status == 421);
    BOOST_TEST(rebound.reason == "Misdirected Request");
    BOOST_TEST(!contains(rebound.body, "\"a\""), rebound.body);
    const HttpResult post = broker.daemon->admin("POST", "/v1/profiles/a/refresh",
                                                 {{"Host", "evil.example:" + port}, adminAuthorization(broker.config)});
    BOOST_TEST(post.status == 421);
    BOOST_TEST(!contains(post.body, "renewing"), post.body);
    BOOST_TEST(broker.daemon->admin("GET", "/healthz", {{"Host", "127.0.0.1"}}).status == 421, "the port is part of it");
    for (const std::string name : {"localhost", "LocalHost", "127.0.0.1"})
        BOOST_TEST(broker.daemon->admin("GET", "/healthz", {{"Host", name + ":" + port}}).status == 200, name);
}

BOOST_AUTO_TEST_CASE(each_answer_carries_the_reason_phrase_of_its_status)
{
    ReadyDaemon broker;
    const HttpResult ok = broker.daemon->admin("GET", "/healthz");
    BOOST_TEST(ok.status == 200);
    BOOST_TEST(ok.reason == "OK");
    const HttpResult missing = broker.daemon->admin("GET", "/nosuch");
    BOOST_TEST(missing.status == 404);
    BOOST_TEST(missing.reason == "Not Found");
    const HttpResult accepted = broker.daemon->adminPost("/v1/profiles/a/refresh");
    BOOST_TEST(accepted.status == 202);
    BOOST_TEST(accepted.reason == "Accepted");
    // Not ready: a profile whose renewal is refused.
    BrokerConfig failing;
    failing.write({failing.patProfile("expired", "pat_old", "    expires_at: 2020-01-01T00:00:00Z\n")});
    DaemonProcess daemon(failing);
    BOOST_TEST_REQUIRE(waitUntil([&] { return profileStatus(daemon, "expired") == "failed"; }, 15s), daemon.log());
    const HttpResult notReady = daemon.admin("GET", "/readyz");
    BOOST_TEST(notReady.status == 503);
    BOOST_TEST(notReady.reason == "Service Unavailable");
    // It says which profile, and why.
    BOOST_TEST(contains(notReady.body, "not ready:\n  expired (failed: the token expired at 2020-01-01T00:00:00Z"),
               notReady.body);
}

BOOST_AUTO_TEST_CASE(a_request_with_too_many_header_fields_is_refused)
{
    ReadyDaemon broker;
    std::vector<std::pair<std::string, std::string>> flood;
    for (int i = 0; i < 150; ++i)
        flood.emplace_back("X-Flood-" + std::to_string(i), "x");
    const HttpResult refused = broker.daemon->admin("GET", "/v1/profiles", flood);
    BOOST_TEST(refused.status == 400);
    BOOST_TEST(broker.daemon->admin("GET", "/healthz").status == 200, "and the endpoint goes on");
}

BOOST_AUTO_TEST_CASE(idle_connections_are_cut_off_while_requests_are_still_served)
{
    // More silent connections than the endpoint has threads: each is
    // dropped after the request timeout, and a real request gets through.
    ReadyDaemon broker;
    const Poco::URI uri(broker.daemon->adminUrl());
    std::vector<Poco::Net::StreamSocket> idle;
    for (int i = 0; i < 6; ++i)
        idle.emplace_back(Poco::Net::SocketAddress(uri.getHost(), uri.getPort()));
    BOOST_TEST(broker.daemon->admin("GET", "/healthz").status == 200);
    for (auto& socket : idle)
        BOOST_TEST(closedByServer(socket), "the server let go of an idle connection");
}

namespace {

/// A configuration whose `broker.admin` is `adminYaml` (one flow mapping)
/// and one pat profile.
void writeWithAdmin(const BrokerConfig& config, const std::string& adminYaml)
{
    writeFile(config.path, "broker:\n"
                           "  state_dir: state\n"
                           "  admin: " + adminYaml + "\n"
                           "profiles:\n" + config.patProfile("a", "pat_a_token"));
}

/// GET over HTTPS, trusting only `caFile` and checking the name in `url`.
HttpResult httpsGet(const std::string& url, const std::string& caFile, const std::string& path)
{
    const Poco::URI uri(url);
    Poco::Net::Context::Params params;
    params.caLocation = caFile;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = false;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
    Poco::Net::HTTPSClientSession session(uri.getHost(), uri.getPort(), context);
    session.setTimeout(Poco::Timespan(10, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpResult result;
    result.status = static_cast<int>(response.getStatus());
    Poco::StreamCopier::copyToString(in, result.body);
    return result;
}

} // namespace

BOOST_AUTO_TEST_CASE(an_endpoint_other_machines_can_reach_needs_allow_remote_and_tls)
{
    BrokerConfig config;
    writeWithAdmin(config, "{ listen: \"0.0.0.0:0\" }");
    RunResult check = broker({"check", "-c", config.path});
    BOOST_TEST(check.status == 2, check.out << check.err);
    BOOST_TEST(contains(check.err, config.path + ":3:"), check.err);
    BOOST_TEST(contains(check.err, "set allow_remote: true"), check.err);

    writeWithAdmin(config, "{ listen: \"0.0.0.0:0\", allow_remote: true }");
    check = broker({"check", "-c", config.path});
    BOOST_TEST(check.status == 2, check.out << check.err);
    BOOST_TEST(contains(check.err, "allow_remote needs cert and key"), check.err);

    // With a certificate (its chain in one file, the way a CA issues it):
    // HTTPS only, and the CLI on this machine still finds and trusts it.
    Poco::File(config.dir.file("pki")).createDirectories();
    writeServerPki(config.dir.file("pki"), "IP:127.0.0.1,DNS:localhost");
    writeFile(config.dir.file("pki/chain.pem"), readFile(config.dir.file("pki/server.pem")) +
                                                    readFile(config.dir.file("pki/ca.pem")));
    writeWithAdmin(config, "{ listen: \"0.0.0.0:0\", allow_remote: true, cert: pki/chain.pem, key: pki/server.key }");
    check = broker({"check", "-c", config.path});
    BOOST_TEST_REQUIRE(check.status == 0, check.out << check.err);
    ChildProcess daemon(TOKENBROKER_EXE, [&] {
        ChildProcess::Options options;
        options.args = {"run", "-c", config.path};
        return options;
    }());
    BOOST_TEST_REQUIRE(daemon.waitForOutput("admin endpoint on https://127.0.0.1:", kDaemonStartBound, true), daemon.err());
    std::string url = readFile(config.stateDir() + "/admin.url");
    url.erase(url.find_last_not_of("\r\n") + 1);
    BOOST_TEST(url.rfind("https://127.0.0.1:", 0) == 0, url);
    const HttpResult health = httpsGet(url, config.dir.file("pki/ca.pem"), "/healthz");
    BOOST_TEST(health.status == 200);
    // The same port without TLS: no answer, so no token can cross in clear.
    std::string plain = url;
    plain.replace(0, 5, "http");
    BOOST_CHECK_THROW(httpRequest(plain, "GET", "/healthz"), Poco::Exception);

    const RunResult status = broker({"status", "-c", config.path});
    BOOST_TEST(status.status == 0, status.out << status.err);
    const RunResult reload = broker({"reload", "-c", config.path});
    BOOST_TEST(reload.status == 0, reload.out << reload.err);
    BOOST_TEST(reload.out == "reloaded\n");
    daemon.requestStop();
    BOOST_TEST((daemon.wait(15s) == std::optional<int>(0)), daemon.err());
}
