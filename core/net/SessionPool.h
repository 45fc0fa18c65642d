#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace TokenBroker {

/// What HTTP clients of all profiles share: one TLS context per CA file
/// (a CA bundle loaded per profile would cost memory and start-up time), and
/// idle keep-alive connections per server, so a thousand profiles renewing
/// against one API host do not each pay a TLS handshake. A connection is
/// reused only within maxIdle of its last answer — well inside any server's
/// keep-alive time-out — so a request never meets a connection the server
/// has already closed, and nothing is ever sent twice.
class SessionPool
{
public:
    static SessionPool& instance();

    /// VERIFY_STRICT client context trusting only `caFile`, or when it is
    /// empty the system's authorities (trustSystemAuthorities()); throws
    /// Poco::Exception when they cannot be loaded.
    Poco::Net::Context::Ptr context(const std::string& caFile);

    /// An idle connection for `key`, or nullptr.
    std::unique_ptr<Poco::Net::HTTPClientSession> take(const std::string& key);

    /// Keeps a connection whose answer was read completely.
    void give(const std::string& key, std::unique_ptr<Poco::Net::HTTPClientSession> session);

    static constexpr std::chrono::milliseconds maxIdle{2000};
    static constexpr std::size_t maxIdlePerKey = 16;

private:
    struct Idle
    {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        std::chrono::steady_clock::time_point since;
    };

    std::mutex _mutex;
    std::map<std::string, Poco::Net::Context::Ptr> _contexts;
    std::map<std::string, std::deque<Idle>> _idle;
};

} // namespace TokenBroker
