#define BOOST_TEST_MODULE HttpClientTest
#include <boost/test/unit_test.hpp>

// The host's HTTPS client against the real emulator and against loopback
// servers that misbehave on purpose: TLS verifies the chain and the host
// name (no way around it), request_timeout bounds a whole request however
// the server stalls (silent, trickling, never shaking hands), cancelAll()
// ends what is in flight, and keep-alive connections are shared between
// clients but never kept past maxIdle nor after an abort.

#include "ChildProcess.h"
#include "TextMatch.h"
#include "EmulatorProcess.h"
#include "HttpClient.h"
#include "SessionPool.h"
#include "TempDir.h"
#include "TestKeys.h"
#include "TestPlatform.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
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

/// A CA and a server certificate for `subjectAltName`, for an emulator
/// started with --cert/--key.
struct Pki
{
    TempDir dir;

    explicit Pki(const std::string& subjectAltName)
    {
        writeServerPki(dir.path(), subjectAltName);
    }

    EmulatorProcess::Options emulator() const
    {
        EmulatorProcess::Options options;
        options.appsYaml = "pats: [pat_ok]\n";
        options.extraArgs = {"--cert=" + dir.file("server.pem"), "--key=" + dir.file("server.key")};
        return options;
    }
};

/// A loopback server, plain or TLS, that behaves as told after reading a
/// request: never answers, trickles the headers or the body one byte a
/// second for ever, or answers every request on the connection at once.
/// Counts the connections it accepts and the requests it reads, so tests
/// check connection reuse and "the server has the request" where it happens.
/// A plain server behind an https URL is a TLS server that never sends its
/// ServerHello.
class MisbehavingServer
{
public:
    enum class Behaviour
    {
        Silent,
        TrickleHeaders,
        TrickleBody,
        Answer
    };

    explicit MisbehavingServer(Behaviour behaviour, const Pki* tls = nullptr)
        : _behaviour(behaviour)
    {
        const Poco::Net::SocketAddress loopback("127.0.0.1", 0);
        if (tls)
        {
            Poco::Net::Context::Ptr context =
                new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls->dir.file("server.key"),
                                       tls->dir.file("server.pem"), "", Poco::Net::Context::VERIFY_NONE);
            _listener = std::make_unique<Poco::Net::SecureServerSocket>(loopback, 64, context);
        }
        else
        {
            _listener = std::make_unique<Poco::Net::ServerSocket>(loopback);
        }
        _acceptor = std::thread([this] { acceptLoop(); });
    }

    ~MisbehavingServer()
    {
        {
            std::lock_guard<std::mutex> lock(_mutex);
            _stopping = true;
        }
        _changed.notify_all();
        _acceptor.join();
        for (auto& connection : _connections)
            connection.join();
    }

    std::string url(const std::string& scheme) const
    {
        return scheme + "://127.0.0.1:" + std::to_string(_listener->address().port()) + "/v1/users/me";
    }
    std::string poolKey(const std::string& scheme, const std::string& caFile) const
    {
        return scheme + "://127.0.0.1:" + std::to_string(_listener->address().port()) + "|" + caFile;
    }

    int accepted() const { return _accepted; }

    /// Waits until `count` requests have been read in all.
    bool waitForRequests(int count, std::chrono::seconds timeout)
    {
        std::unique_lock<std::mutex> lock(_mutex);
        return _changed.wait_for(lock, timeout, [&] { return _requests >= count; });
    }

private:
    void acceptLoop()
    {
        while (!stopping())
        {
            if (!_listener->poll(Poco::Timespan(0, 100000), Poco::Net::Socket::SELECT_READ))
                continue;
            Poco::Net::StreamSocket socket = _listener->acceptConnection();
            ++_accepted;
            std::lock_guard<std::mutex> lock(_mutex);
            _connections.emplace_back([this, socket]() mutable { serve(socket); });
        }
    }

    bool stopping()
    {
        std::lock_guard<std::mutex> lock(_mutex);
        return _stopping;
    }

    /// Waits `interval` unless the server stops first; false when it does.
    bool pause(std::chrono::milliseconds interval)
    {
        std::unique_lock<std::mutex> lock(_mutex);
        return !_changed.wait_for(lock, interval, [&] { return _stopping; });
    }

    /// Reads up to the end of a request's headers (the tests send no body).
    bool readRequest(Poco::Net::StreamSocket& socket)
    {
        std::string received;
        char buffer[4096];
        while (received.find("\r\n\r\n") == std::string::npos)
        {
            if (stopping())
                return false;
            try
            {
                const int n = socket.receiveBytes(buffer, sizeof buffer);
                if (n <= 0)
                    return false;
                received.append(buffer, static_cast<std::size_t>(n));
            }
            catch (const Poco::TimeoutException&)
            {
                // Only to look at the stop flag again.
            }
            catch (const Poco::Exception&)
            {
                return false;
            }
        }
        {
            std::lock_guard<std::mutex> lock(_mutex);
            ++_requests;
        }
        _changed.notify_all();
        return true;
    }

    static bool write(Poco::Net::StreamSocket& socket, const std::string& data)
    {
        try
        {
            return socket.sendBytes(data.data(), static_cast<int>(data.size()), TokenBroker::Test::noSigpipeFlag()) ==
                   static_cast<int>(data.size());
        }
        catch (const Poco::Exception&)
        {
            return false;
        }
    }

    void serve(Poco::Net::StreamSocket socket)
    {
        socket.setReceiveTimeout(Poco::Timespan(0, 200000));
        do
        {
            if (!readRequest(socket))
                return;
            switch (_behaviour)
            {
            case Behaviour::Silent:
                while (pause(1s))
                    ;
                return;
            case Behaviour::TrickleHeaders:
                if (!write(socket, "HTTP/1.1 200 OK\r\nX-Slow: "))
                    return;
                while (pause(1s) && write(socket, "a"))
                    ;
                return;
            case Behaviour::TrickleBody:
                if (!write(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"))
                    return;
                while (pause(1s) && write(socket, " "))
                    ;
                return;
            case Behaviour::Answer:
                if (!write(socket, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n"
                                   "{\"code\":0}"))
                    return;
                break;
            }
        } while (true);
    }

    const Behaviour _behaviour;
    std::unique_ptr<Poco::Net::ServerSocket> _listener;
    std::atomic<int> _accepted{0};
    std::mutex _mutex;
    std::condition_variable _changed;
    int _requests = 0;
    bool _stopping = false;
    std::vector<std::thread> _connections;
    std::thread _acceptor;
};

HttpRequest get(const std::string& url)
{
    HttpRequest request;
    request.url = url;
    return request;
}

/// send() on a worker thread, ending in "answered STATUS" or the
/// exception's type and message.
std::future<std::string> sendAsync(const HttpClient& client, const HttpRequest& request)
{
    auto promise = std::make_shared<std::promise<std::string>>();
    std::future<std::string> future = promise->get_future();
    // Detached, so that a send() that never comes back fails the test below
    // instead of hanging it.
    std::thread([client, request, promise] {
        try
        {
            promise->set_value("answered " + std::to_string(client.send(request).status));
        }
        catch (const TransportError& e)
        {
            promise->set_value(std::string("TransportError: ") + e.what());
        }
        catch (const std::exception& e)
        {
            promise->set_value(std::string("other exception: ") + e.what());
        }
    }).detach();
    return future;
}

/// What a sendAsync() came back with; fails the test if it does not come
/// back within a minute (the time limits under test are seconds).
std::string outcome(std::future<std::string>& future)
{
    BOOST_REQUIRE_MESSAGE(future.wait_for(60s) == std::future_status::ready, "send() did not come back within 60 s");
    return future.get();
}

std::string outcomeOf(const HttpClient& client, const HttpRequest& request)
{
    auto future = sendAsync(client, request);
    return outcome(future);
}

/// The deadline ended the request, and the message says in which phase.
void expectDeadline(const std::string& result, int totalSeconds, const std::string& phase)
{
    BOOST_TEST(contains(result, "TransportError: request timed out after " + std::to_string(totalSeconds) + "s (" +
                                    phase + " 127.0.0.1:"),
               result);
}

/// connect 2 s, read 2 s, total 3 s: a server that sends a byte every
/// second never trips the read limit, only the total one.
const HttpTimeouts kShort{2, 2, 3};
/// A read limit longer than the total: only the total can end the request.
const HttpTimeouts kLongRead{2, 30, 3};
/// The same for the connect limit, which also bounds the TLS handshake.
const HttpTimeouts kLongConnect{30, 2, 3};

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
    // The chain is fine: it is the host name check that refuses it.
    BOOST_CHECK_EXCEPTION(HttpClient(wrongName.dir.file("ca.pem"), HttpTimeouts{}).send(usersMe(wrong.baseUrl())),
                          TransportError,
                          [](const TransportError& e) { return contains(e.what(), "Unacceptable certificate from 127.0.0.1"); });

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
    // Waiting out the server's 10 s would have brought its real answer: the
    // timeout error is the proof that the 1 s limit ended the request.
    expectDeadline(outcomeOf(HttpClient(emulator.caFile(), HttpTimeouts{2, 1, 1}), usersMe(emulator.baseUrl())), 1,
                   "waiting for the answer from");
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_is_a_transport_error)
{
    EmulatorProcess emulator("pats: [pat_ok]\n");
    emulator.addFaults(R"([{"path": "/v1/users/me", "drop": true, "count": 1}])");
    BOOST_CHECK_THROW(HttpClient(emulator.caFile(), HttpTimeouts{}).send(usersMe(emulator.baseUrl())), TransportError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Deadlines)

// Each case runs plain and over TLS: POCO's TLS reads wait twice as long as
// plain ones (a timed-out receive, then a poll as long again), and its TLS
// handshake has a path of its own.

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_fails_at_the_request_timeout)
{
    Pki pki("IP:127.0.0.1");
    MisbehavingServer plain(MisbehavingServer::Behaviour::Silent);
    expectDeadline(outcomeOf(HttpClient("", kLongRead), get(plain.url("http"))), 3, "waiting for the answer from");
    MisbehavingServer tls(MisbehavingServer::Behaviour::Silent, &pki);
    expectDeadline(outcomeOf(HttpClient(pki.dir.file("ca.pem"), kLongRead), get(tls.url("https"))), 3,
                   "waiting for the answer from");
    BOOST_TEST(plain.waitForRequests(1, 0s), "the request reached the server");
    BOOST_TEST(tls.waitForRequests(1, 0s), "the request reached the server");
}

BOOST_AUTO_TEST_CASE(a_server_trickling_the_body_fails_at_the_request_timeout)
{
    Pki pki("IP:127.0.0.1");
    MisbehavingServer plain(MisbehavingServer::Behaviour::TrickleBody);
    expectDeadline(outcomeOf(HttpClient("", kShort), get(plain.url("http"))), 3, "reading the answer from");
    MisbehavingServer tls(MisbehavingServer::Behaviour::TrickleBody, &pki);
    expectDeadline(outcomeOf(HttpClient(pki.dir.file("ca.pem"), kShort), get(tls.url("https"))), 3,
                   "reading the answer from");
    // An aborted connection is closed, not kept for the next request.
    BOOST_TEST(!SessionPool::instance().take(plain.poolKey("http", "")));
    BOOST_TEST(!SessionPool::instance().take(tls.poolKey("https", pki.dir.file("ca.pem"))));
}

BOOST_AUTO_TEST_CASE(a_server_trickling_the_headers_fails_at_the_request_timeout)
{
    Pki pki("IP:127.0.0.1");
    MisbehavingServer plain(MisbehavingServer::Behaviour::TrickleHeaders);
    expectDeadline(outcomeOf(HttpClient("", kShort), get(plain.url("http"))), 3, "waiting for the answer from");
    MisbehavingServer tls(MisbehavingServer::Behaviour::TrickleHeaders, &pki);
    expectDeadline(outcomeOf(HttpClient(pki.dir.file("ca.pem"), kShort), get(tls.url("https"))), 3,
                   "waiting for the answer from");
}

BOOST_AUTO_TEST_CASE(a_tls_handshake_that_never_completes_fails_at_the_request_timeout)
{
    // Accepts TCP and never sends a ServerHello.
    MisbehavingServer mute(MisbehavingServer::Behaviour::Silent);
    Pki pki("IP:127.0.0.1");
    expectDeadline(outcomeOf(HttpClient(pki.dir.file("ca.pem"), kLongConnect), get(mute.url("https"))), 3,
                   "TLS handshake with");
}

BOOST_AUTO_TEST_CASE(a_tls_handshake_that_never_completes_fails_at_connect_timeout_when_that_comes_first)
{
    MisbehavingServer mute(MisbehavingServer::Behaviour::Silent);
    Pki pki("IP:127.0.0.1");
    // Total far enough away for POCO's doubled TLS wait (2 s on Linux).
    const std::string result =
        outcomeOf(HttpClient(pki.dir.file("ca.pem"), HttpTimeouts{1, 30, 10}), get(mute.url("https")));
    BOOST_TEST(contains(result, "TransportError: timed out after 1s (connect_timeout, TLS handshake with 127.0.0.1:"),
               result);
}

BOOST_AUTO_TEST_CASE(the_emulator_hang_and_trickle_faults_fail_at_the_request_timeout)
{
    EmulatorProcess emulator("pats: [pat_ok]\n");
    const HttpClient client(emulator.caFile(), kLongRead);
    emulator.addFaults(R"([{"path": "/v1/users/me", "hang": true}])");
    expectDeadline(outcomeOf(client, usersMe(emulator.baseUrl())), 3, "waiting for the answer from");
    emulator.addFaults(R"([{"path": "/v1/users/me", "trickle_ms": 1000}])");
    expectDeadline(outcomeOf(client, usersMe(emulator.baseUrl())), 3, "reading the answer from");
    // Faults used up: the next request is answered.
    BOOST_TEST(outcomeOf(client, usersMe(emulator.baseUrl())) == "answered 200");
    // A trickle fast enough for the limits is just a slow answer.
    emulator.addFaults(R"([{"path": "/v1/users/me", "trickle_ms": 1}])");
    BOOST_TEST(outcomeOf(HttpClient(emulator.caFile(), HttpTimeouts{}), usersMe(emulator.baseUrl())) == "answered 200");
}

BOOST_AUTO_TEST_CASE(cancel_all_ends_the_requests_in_flight_and_only_those)
{
    Pki pki("IP:127.0.0.1");
    MisbehavingServer plain(MisbehavingServer::Behaviour::Silent);
    MisbehavingServer tls(MisbehavingServer::Behaviour::Silent, &pki);
    const HttpTimeouts patient{5, 60, 60};
    auto first = sendAsync(HttpClient("", patient), get(plain.url("http")));
    auto second = sendAsync(HttpClient(pki.dir.file("ca.pem"), patient), get(tls.url("https")));
    BOOST_REQUIRE(plain.waitForRequests(1, 30s));
    BOOST_REQUIRE(tls.waitForRequests(1, 30s));

    BOOST_TEST(HttpClient::cancelAll() == 2u);
    for (auto* future : {&first, &second})
    {
        const std::string result = outcome(*future);
        BOOST_TEST(contains(result, "TransportError: request cancelled because the broker is stopping ("), result);
        BOOST_TEST(contains(result, " 127.0.0.1:"), result);
    }
    BOOST_TEST(HttpClient::cancelAll() == 0u, "nothing left in flight");

    // Later requests are not affected.
    MisbehavingServer answering(MisbehavingServer::Behaviour::Answer, &pki);
    BOOST_TEST(outcomeOf(HttpClient(pki.dir.file("ca.pem"), patient), get(answering.url("https"))) == "answered 200");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(KeepAlive)

BOOST_AUTO_TEST_CASE(connections_are_reused_across_clients_then_expire)
{
    Pki pki("IP:127.0.0.1");
    MisbehavingServer server(MisbehavingServer::Behaviour::Answer, &pki);
    const std::string caFile = pki.dir.file("ca.pem");
    const std::string key = server.poolKey("https", caFile);
    BOOST_TEST(!SessionPool::instance().take(key), "nothing pooled before the first request");

    HttpClient first(caFile, HttpTimeouts{});
    BOOST_TEST(first.send(get(server.url("https"))).status == 200);
    BOOST_TEST(server.accepted() == 1);

    // Another profile's client with the same server and CA uses it too: the
    // server sees three requests on one connection.
    HttpClient second(caFile, HttpTimeouts{});
    BOOST_TEST(second.send(get(server.url("https"))).status == 200);
    BOOST_TEST(second.send(get(server.url("https"))).status == 200);
    BOOST_TEST(server.waitForRequests(3, 0s));
    BOOST_TEST(server.accepted() == 1);

    // Past maxIdle a connection is dropped rather than risked.
    std::this_thread::sleep_for(SessionPool::maxIdle + 200ms);
    BOOST_TEST(!SessionPool::instance().take(key));
    BOOST_TEST(second.send(get(server.url("https"))).status == 200);
    BOOST_TEST(server.accepted() == 2, "a fresh connection is made");
}

BOOST_AUTO_TEST_CASE(the_pool_keeps_a_bounded_number_of_idle_connections)
{
    EmulatorProcess emulator("pats: [pat_ok]\n");
    const std::string key = "https://127.0.0.1:" + std::to_string(emulator.port()) + "|" + emulator.caFile();
    HttpClient client(emulator.caFile(), HttpTimeouts{});
    std::vector<std::future<std::string>> answers;
    for (int i = 0; i < 24; ++i)
        answers.push_back(sendAsync(client, usersMe(emulator.baseUrl())));
    for (auto& answer : answers)
        BOOST_TEST(outcome(answer) == "answered 200");
    std::size_t idle = 0;
    while (SessionPool::instance().take(key))
        ++idle;
    BOOST_TEST(idle >= 1u);
    BOOST_TEST(idle <= SessionPool::maxIdlePerKey);
}

BOOST_AUTO_TEST_SUITE_END()
