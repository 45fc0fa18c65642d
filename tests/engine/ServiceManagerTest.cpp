#define BOOST_TEST_MODULE ServiceManagerTest
#include <boost/test/unit_test.hpp>

// What systemd sees of `tokenbroker run` (issue 13), POSIX only: the
// sd_notify datagrams of a Type=notify unit, read from a NOTIFY_SOCKET the
// test binds, and the journald line form when JOURNAL_STREAM names the
// daemon's standard error.

#include "EngineTestSupport.h"

#include <Poco/Random.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <map>
#include <memory>
#include <ctime>
#include <poll.h>
#include <regex>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

namespace {

/// A NOTIFY_SOCKET: a datagram socket bound by the test, every datagram
/// kept in arrival order.
class NotifySocket
{
public:
    /// `address` is a path, or "@name" for an abstract socket.
    explicit NotifySocket(std::string address)
        : _address(std::move(address))
    {
        _fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        BOOST_TEST_REQUIRE(_fd >= 0);
        sockaddr_un where;
        std::memset(&where, 0, sizeof where);
        where.sun_family = AF_UNIX;
        BOOST_TEST_REQUIRE(_address.size() < sizeof where.sun_path);
        std::memcpy(where.sun_path, _address.data(), _address.size());
        socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + _address.size());
        if (_address[0] == '@')
            where.sun_path[0] = '\0';
        else
            length += 1;
        BOOST_TEST_REQUIRE(::bind(_fd, reinterpret_cast<sockaddr*>(&where), length) == 0, std::strerror(errno));
    }
    ~NotifySocket() { ::close(_fd); }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    const std::string& address() const { return _address; }

    /// Every datagram so far.
    const std::vector<std::string>& messages()
    {
        receive(0);
        return _messages;
    }

    /// Waits until `times` datagrams have the line `line` (e.g. "READY=1").
    bool waitFor(const std::string& line, std::chrono::milliseconds timeout, std::size_t times = 1)
    {
        const auto until = std::chrono::steady_clock::now() + timeout;
        for (;;)
        {
            if (count(line) >= times)
                return true;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                return false;
            receive(static_cast<int>(left.count()));
        }
    }

    std::size_t count(const std::string& line)
    {
        std::size_t n = 0;
        for (const auto& message : messages())
            n += hasLine(message, line) ? 1 : 0;
        return n;
    }

    /// The first datagram with the line `line`; empty if none.
    std::string first(const std::string& line)
    {
        for (const auto& message : messages())
        {
            if (hasLine(message, line))
                return message;
        }
        return {};
    }

    static bool hasLine(const std::string& message, const std::string& line)
    {
        return ("\n" + message + "\n").find("\n" + line + "\n") != std::string::npos;
    }

    /// VALUE of the line NAME=VALUE in `message`; empty if none.
    static std::string valueOf(const std::string& message, const std::string& name)
    {
        std::istringstream in(message);
        for (std::string line; std::getline(in, line);)
        {
            if (line.rfind(name + "=", 0) == 0)
                return line.substr(name.size() + 1);
        }
        return {};
    }

private:
    /// Takes what has arrived, waiting up to `timeoutMs` for the first.
    void receive(int timeoutMs)
    {
        pollfd p{_fd, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0)
            return;
        char buffer[4096];
        for (;;)
        {
            const ssize_t n = ::recv(_fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (n < 0)
                return;
            _messages.emplace_back(buffer, static_cast<std::size_t>(n));
        }
    }

    std::string _address;
    int _fd = -1;
    std::vector<std::string> _messages;
};

std::uint64_t monotonicMicroseconds()
{
    timespec now;
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1000000u + static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
}

/// A broker whose daemon reports to a NotifySocket, as under Type=notify.
class NotifiedBroker
{
public:
    /// `socketAddress`: a path, or "@name" for an abstract socket; by
    /// default notify.sock in the configuration's directory.
    explicit NotifiedBroker(const std::string& socketAddress = {})
        : _notify(socketAddress.empty() ? config.dir.file("notify.sock") : socketAddress)
    {
    }

    BrokerConfig config;

    NotifySocket& notify() { return _notify; }
    DaemonProcess& daemon() { return *_daemon; }

    /// Writes `profiles`, then starts the daemon with NOTIFY_SOCKET and `env`.
    DaemonProcess& start(const std::vector<std::string>& profiles, std::map<std::string, std::string> env = {})
    {
        config.write(profiles);
        env["NOTIFY_SOCKET"] = _notify.address();
        _daemon = std::make_unique<DaemonProcess>(config, env);
        return *_daemon;
    }

    /// start(), then waits for the first READY=1.
    DaemonProcess& startReady(const std::vector<std::string>& profiles, std::map<std::string, std::string> env = {})
    {
        start(profiles, std::move(env));
        BOOST_TEST_REQUIRE(_notify.waitFor("READY=1", 15s), _daemon->log());
        return *_daemon;
    }

private:
    NotifySocket _notify;
    std::unique_ptr<DaemonProcess> _daemon;
};

/// A jwt profile whose every token request the server refuses for good.
std::string brokenProfile(const BrokerConfig& config, const EmulatorProcess& emulator)
{
    Fault refused;
    refused.path = accountTokenPath("acct-broken");
    refused.status = 200;
    refused.body = R"({"code":4100,"msg":"authentication is invalid"})";
    refused.count = 1000;
    addFault(emulator, refused);
    return config.jwtProfile("broken", emulator, "    account_id: acct-broken\n");
}

} // namespace

BOOST_AUTO_TEST_SUITE(Notify)

BOOST_AUTO_TEST_CASE(ready_comes_once_every_profile_has_its_token_with_the_status_and_main_pid)
{
    // So that After=tokenbroker.service means the token files exist.
    auto emulator = startEmulator();
    NotifiedBroker broker;
    auto& config = broker.config;
    auto& notify = broker.notify();
    auto& daemon = broker.startReady({config.jwtProfile("svc", *emulator), config.patProfile("static", "pat_static_token")});
    BOOST_TEST(fileState(config.tokenFile("svc")).content.rfind("czs_", 0) == 0u);
    BOOST_TEST(fileState(config.tokenFile("static")).content == "pat_static_token\n");
    const std::string ready = notify.first("READY=1");
    BOOST_TEST(NotifySocket::valueOf(ready, "STATUS") == "2/2 profiles ready", ready);
    BOOST_TEST(NotifySocket::valueOf(ready, "MAINPID") == std::to_string(daemon.process().pid()), ready);
    BOOST_TEST(notify.count("READY=1") == 1u);
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(a_profile_that_is_not_ready_is_named_in_the_status)
{
    auto emulator = startEmulator();
    NotifiedBroker broker;
    // Its failed first attempt still ends the first pass: the daemon serves
    // what it can, and says what it cannot.
    auto& daemon = broker.startReady(
        {brokenProfile(broker.config, *emulator), broker.config.patProfile("static", "pat_static_token")});
    BOOST_TEST(NotifySocket::valueOf(broker.notify().first("READY=1"), "STATUS") ==
               "1/2 profiles ready; not ready: broken (failed)");
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(a_reload_is_bracketed_by_reloading_with_the_monotonic_time_and_ready)
{
    NotifiedBroker broker;
    auto& config = broker.config;
    auto& notify = broker.notify();
    auto& daemon = broker.startReady({config.patProfile("a", "pat_a_token")});

    config.write({config.patProfile("a", "pat_a_token"), config.patProfile("b", "pat_b_token")});
    const std::uint64_t before = monotonicMicroseconds();
    daemon.process().reload();
    BOOST_TEST_REQUIRE(notify.waitFor("READY=1", 15s, 2), daemon.log());
    const std::uint64_t after = monotonicMicroseconds();

    const auto& messages = notify.messages();
    std::vector<std::string> sequence;
    std::string reloading;
    for (const auto& message : messages)
    {
        if (NotifySocket::hasLine(message, "RELOADING=1"))
        {
            sequence.push_back("RELOADING");
            reloading = message;
        }
        else if (NotifySocket::hasLine(message, "READY=1"))
            sequence.push_back("READY " + NotifySocket::valueOf(message, "STATUS"));
    }
    BOOST_TEST((sequence == std::vector<std::string>{"READY 1/1 profiles ready", "RELOADING", "READY 2/2 profiles ready"}),
               "sequence: " << [&] { std::string all; for (const auto& s : sequence) all += s + "; "; return all; }());
    // systemd matches the reload to its own clock by this stamp.
    const std::uint64_t stamp = std::stoull(NotifySocket::valueOf(reloading, "MONOTONIC_USEC"));
    BOOST_TEST(stamp >= before);
    BOOST_TEST(stamp <= after);
    BOOST_TEST(fileState(config.tokenFile("b")).content == "pat_b_token\n");
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(a_stop_says_stopping_before_the_daemon_exits)
{
    NotifiedBroker broker;
    auto& daemon = broker.startReady({broker.config.patProfile("a", "pat_a_token")});
    BOOST_TEST(broker.notify().count("STOPPING=1") == 0u);
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);
    BOOST_TEST(broker.notify().count("STOPPING=1") == 1u, daemon.log());
}

BOOST_AUTO_TEST_CASE(the_watchdog_is_petted_while_the_daemon_runs)
{
    NotifiedBroker broker;
    // WatchdogSec=0.4: a pet at least every 0.2 s.
    auto& daemon = broker.start({broker.config.patProfile("a", "pat_a_token")}, {{"WATCHDOG_USEC", "400000"}});
    BOOST_TEST_REQUIRE(broker.notify().waitFor("WATCHDOG=1", 15s, 5), daemon.log());
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(a_watchdog_meant_for_another_process_is_left_alone)
{
    NotifiedBroker broker;
    auto& notify = broker.notify();
    auto& daemon = broker.startReady({broker.config.patProfile("a", "pat_a_token")},
                                     {{"WATCHDOG_USEC", "100000"}, {"WATCHDOG_PID", "1"}});
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);
    BOOST_TEST_REQUIRE(notify.count("STOPPING=1") == 1u);
    // The daemon ran for longer than the 0.05 s a pet would have come at.
    BOOST_TEST(notify.count("WATCHDOG=1") == 0u);
}

BOOST_AUTO_TEST_CASE(an_abstract_socket_is_reached_too)
{
    NotifiedBroker broker("@tokenbroker-test-" + std::to_string(::getpid()) + "-" + std::to_string(Poco::Random().next()));
    auto& daemon = broker.startReady({broker.config.patProfile("a", "pat_a_token")});
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(hooks_and_plugins_do_not_inherit_the_notify_socket)
{
    // Else a hook could tell systemd the daemon is ready, or stopping.
    NotifiedBroker broker;
    const std::string envFile = broker.config.dir.file("hook.env");
    auto& daemon = broker.start(
        {broker.config.patProfile("a", "pat_a_token", helperHookLine(TOKENBROKER_TEST_HELPER, {"env>" + envFile}))},
        {{"WATCHDOG_USEC", "10000000"}});
    BOOST_TEST_REQUIRE(daemon.waitForLog("on_rotate: " + std::string(TOKENBROKER_TEST_HELPER) + " succeeded", 15s),
                       daemon.log());
    const std::string env = readFile(envFile);
    BOOST_TEST(contains(env, "TOKENBROKER_PROFILE=a"), env);
    BOOST_TEST(!contains(env, "NOTIFY_SOCKET"), env);
    BOOST_TEST(!contains(env, "WATCHDOG_"), env);
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Journal)

BOOST_AUTO_TEST_CASE(under_journald_each_line_carries_its_severity_and_no_time_of_its_own)
{
    auto emulator = startEmulator();
    BrokerConfig config;
    config.write({config.jwtProfile("svc", *emulator), brokenProfile(config, *emulator)});
    DaemonProcess daemon(config, {}, DaemonProcess::Stderr::Journal);
    BOOST_TEST_REQUIRE(daemon.waitForLog("svc: ok, token valid until ", 15s), daemon.log());
    BOOST_TEST_REQUIRE(daemon.waitForLog("broken: failed: ", 15s), daemon.log());
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);

    const std::string log = daemon.log();
    const std::regex journalLine("<[0-7]>[^<].*");
    const std::regex timestamp("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ [A-Z][a-z]+ ");
    std::istringstream in(log);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line); ++lines)
    {
        BOOST_TEST(std::regex_match(line, journalLine), line);
        BOOST_TEST(!std::regex_search(line, timestamp), line);
    }
    BOOST_TEST(lines >= 4u, log);
    BOOST_TEST(linesWith(log, "<6>tokenbroker.scheduler: svc: ok, token valid until ").size() == 1u, log);
    BOOST_TEST(linesWith(log, "<3>tokenbroker.scheduler: broken: failed: ").size() == 1u, log);
    BOOST_TEST(linesWith(log, "<5>tokenbroker: stopping").size() == 1u, log);
}

BOOST_AUTO_TEST_CASE(a_journal_stream_that_is_not_stderr_changes_nothing)
{
    // JOURNAL_STREAM inherited from a parent whose stderr was the journal.
    BrokerConfig config;
    config.write({config.patProfile("a", "pat_a_token")});
    DaemonProcess daemon(config, {{"JOURNAL_STREAM", "8:12345"}});
    BOOST_TEST_REQUIRE(daemon.waitForLog("a: ok, token valid until ", 15s), daemon.log());
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);
    const auto ok = linesWith(daemon.log(), "a: ok, token valid until ");
    BOOST_REQUIRE_EQUAL(ok.size(), 1u);
    BOOST_TEST(std::regex_search(ok[0], std::regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ Information ")), ok[0]);
}

BOOST_AUTO_TEST_SUITE_END()
