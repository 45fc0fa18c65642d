#define BOOST_TEST_MODULE HttpClientTest
#include <boost/test/unit_test.hpp>

// The host's HTTPS client against the real emulator: TLS verifies the chain
// and the host name (no way around it), timeouts apply, and keep-alive
// connections are shared between clients but never kept past maxIdle.

#include "ChildProcess.h"
#include "TextMatch.h"
#include "EmulatorProcess.h"
#include "HttpClient.h"
#include "SessionPool.h"
#include "TempDir.h"

#include <thread>

using namespace TokenBroker;
using namespace TokenBroker::Test;
using namespace std::chrono_literals;

namespace {

HttpRequest usersMe(const std::string& baseUrl)
{
    HttpRequest request;
    request.url = baseUrl + "/v1/users/me";
    request.headers["Authorization"] = "Bearer pat_ok";
    return request;
}

void openssl(const std::vector<std::string>& args)
{
    RunResult result = run("/usr/bin/openssl", ChildProcess::Options{args});
    BOOST_REQUIRE_MESSAGE(result.status == 0, "openssl failed: " + result.err);
}

/// A CA and a server certificate for `subjectAltName`, made with the
/// openssl command, for an emulator started with --cert/--key.
struct Pki
{
    TempDir dir;

    explicit Pki(const std::string& subjectAltName)
    {
        openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                 "-subj", "/CN=test CA", "-keyout", dir.file("ca.key"), "-out", dir.file("ca.pem")});
        openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=server",
                 "-keyout", dir.file("server.key"), "-out", dir.file("server.csr")});
        writeFile(dir.file("ext.cnf"), "subjectAltName=" + subjectAltName + "\n");
        openssl({"x509", "-req", "-in", dir.file("server.csr"), "-CA", dir.file("ca.pem"), "-CAkey", dir.file("ca.key"),
                 "-CAcreateserial", "-days", "1", "-extfile", dir.file("ext.cnf"), "-out", dir.file("server.pem")});
    }

    EmulatorProcess::Options emulator() const
    {
        EmulatorProcess::Options options;
        options.appsYaml = "pats: [pat_ok]\n";
        options.extraArgs = {"--cert=" + dir.file("server.pem"), "--key=" + dir.file("server.key")};
        return options;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(Tls)

BOOST_AUTO_TEST_CASE(verifies_against_the_given_ca)
{
    EmulatorProcess emulator("pats: [pat_ok]\n");
    HttpResponse response = HttpClient(emulator.caFile(), HttpTimeouts{}).send(usersMe(emulator.baseUrl()));
    BOOST_TEST(response.status == 200);
    BOOST_TEST(contains(response.body, "\"code\":0"));
    BOOST_TEST(!response.headers["x-tt-logid"].empty(), "header names are lower-cased");
}

BOOST_AUTO_TEST_CASE(refuses_a_server_whose_chain_does_not_verify)
{
    EmulatorProcess emulator("pats: [pat_ok]\n");
    // The system store does not know the emulator's throwaway CA.
    BOOST_CHECK_EXCEPTION(HttpClient("", HttpTimeouts{}).send(usersMe(emulator.baseUrl())), TransportError,
                          [](const TransportError& e) { return contains(e.what(), "127.0.0.1"); });
    // Nor does another CA.
    Pki other("IP:127.0.0.1");
    BOOST_CHECK_THROW(HttpClient(other.dir.file("ca.pem"), HttpTimeouts{}).send(usersMe(emulator.baseUrl())),
                      TransportError);
}

BOOST_AUTO_TEST_CASE(refuses_a_certificate_for_another_name)
{
    Pki wrongName("DNS:api.example.org");
    EmulatorProcess wrong(wrongName.emulator());
    BOOST_CHECK_THROW(HttpClient(wrongName.dir.file("ca.pem"), HttpTimeouts{}).send(usersMe(wrong.baseUrl())),
                      TransportError);

    // The same set-up with the right name passes: the name was the problem.
    Pki rightName("IP:127.0.0.1");
    EmulatorProcess right(rightName.emulator());
    BOOST_TEST(HttpClient(rightName.dir.file("ca.pem"), HttpTimeouts{}).send(usersMe(right.baseUrl())).status == 200);
}

BOOST_AUTO_TEST_CASE(a_missing_ca_file_is_a_clear_error)
{
    EmulatorProcess emulator("pats: [pat_ok]\n");
    BOOST_CHECK_EXCEPTION(HttpClient("/nonexistent/ca.pem", HttpTimeouts{}).send(usersMe(emulator.baseUrl())),
                          TransportError,
                          [](const TransportError& e) { return contains(e.what(), "/nonexistent/ca.pem"); });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Limits)

BOOST_AUTO_TEST_CASE(a_server_slower_than_the_request_timeout_fails_in_time)
{
    EmulatorProcess emulator("pats: [pat_ok]\n");
    emulator.addFaults(R"([{"path": "/v1/users/me", "delay_ms": 10000, "count": 1}])");
    const auto start = std::chrono::steady_clock::now();
    BOOST_CHECK_EXCEPTION(HttpClient(emulator.caFile(), HttpTimeouts{2, 1, 1}).send(usersMe(emulator.baseUrl())),
                          TransportError, [](const TransportError&) { return true; });
    // A liveness bound, not a timing threshold: it must not wait out the
    // server's 10 s.
    BOOST_TEST((std::chrono::steady_clock::now() - start < 8s));
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_is_a_transport_error)
{
    EmulatorProcess emulator("pats: [pat_ok]\n");
    emulator.addFaults(R"([{"path": "/v1/users/me", "drop": true, "count": 1}])");
    BOOST_CHECK_THROW(HttpClient(emulator.caFile(), HttpTimeouts{}).send(usersMe(emulator.baseUrl())), TransportError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(KeepAlive)

BOOST_AUTO_TEST_CASE(connections_are_reused_across_clients_then_expire)
{
    EmulatorProcess emulator("pats: [pat_ok]\n");
    const std::string key = "https://127.0.0.1:" + std::to_string(emulator.port()) + "|" + emulator.caFile();
    BOOST_TEST(!SessionPool::instance().take(key), "nothing pooled before the first request");

    HttpClient first(emulator.caFile(), HttpTimeouts{});
    BOOST_TEST(first.send(usersMe(emulator.baseUrl())).status == 200);
    auto pooled = SessionPool::instance().take(key);
    BOOST_REQUIRE(pooled);
    BOOST_TEST(pooled->connected());
    SessionPool::instance().give(key, std::move(pooled));

    // Another profile's client with the same server and CA uses it too.
    HttpClient second(emulator.caFile(), HttpTimeouts{});
    BOOST_TEST(second.send(usersMe(emulator.baseUrl())).status == 200);
    BOOST_TEST(second.send(usersMe(emulator.baseUrl())).status == 200);

    // Past maxIdle a connection is dropped rather than risked.
    std::this_thread::sleep_for(SessionPool::maxIdle + 200ms);
    BOOST_TEST(!SessionPool::instance().take(key));
    BOOST_TEST(second.send(usersMe(emulator.baseUrl())).status == 200, "a fresh connection is made");
}

BOOST_AUTO_TEST_CASE(the_pool_keeps_a_bounded_number_of_idle_connections)
{
    EmulatorProcess emulator("pats: [pat_ok]\n");
    const std::string key = "https://127.0.0.1:" + std::to_string(emulator.port()) + "|" + emulator.caFile();
    HttpClient client(emulator.caFile(), HttpTimeouts{});
    std::vector<std::thread> threads;
    for (int i = 0; i < 24; ++i)
        threads.emplace_back([&] { client.send(usersMe(emulator.baseUrl())); });
    for (auto& t : threads)
        t.join();
    std::size_t idle = 0;
    while (SessionPool::instance().take(key))
        ++idle;
    BOOST_TEST(idle >= 1u);
    BOOST_TEST(idle <= SessionPool::maxIdlePerKey);
}

BOOST_AUTO_TEST_SUITE_END()
