#pragma once

#include "SocketAbort.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

namespace TokenBroker {

/// Ends requests that outlive their deadline. Socket timeouts cannot do it:
/// they bound one receive, and POCO's header parser, stream reads and TLS
/// handshake each receive many times, so a server that trickles a byte now
/// and then holds a request for ever. One thread keeps the deadlines of all
/// requests in flight in order and, when one passes, shuts that request's
/// socket down: whatever blocking call the request is in (receive, send,
/// TLS handshake) returns at once, and the request fails.
class DeadlineWatchdog
{
public:
    using Clock = std::chrono::steady_clock;

    /// How a watched request ended up.
    enum class Verdict
    {
        Running,    ///< neither deadline nor abortAll() reached it
        TimedOut,   ///< its deadline passed
        Cancelled   ///< abortAll() ended it
    };

    static DeadlineWatchdog& instance();

    /// One request under watch, from construction until release() or
    /// destruction. Not thread-safe itself: it belongs to the request's
    /// thread; the watchdog's thread only reads what the mutex guards.
    class Watch
    {
    public:
        Watch(DeadlineWatchdog& watchdog, Clock::time_point deadline);
        ~Watch();
        Watch(const Watch&) = delete;
        Watch& operator=(const Watch&) = delete;

        /// From now on the deadline (or abortAll()) shuts `socket` down.
        /// Call it once the socket is connected: before that POCO may still
        /// replace the descriptor, and connecting has its own time limit.
        /// When the verdict is already in, the socket is shut down at once.
        /// Throws std::runtime_error when the socket cannot be duplicated.
        void attach(poco_socket_t socket);

        /// Ends the watch; from then on nothing touches the socket, so a
        /// connection released as Running may be kept for reuse. Returns
        /// the final verdict; later calls return it again.
        Verdict release();

        /// Ends the watch of a request that failed: shuts its connection
        /// down first, so that nothing in POCO's teardown (a session being
        /// destroyed flushes what it could not send, waiting as long again)
        /// can block on it. Returns the final verdict, like release().
        Verdict abandon();

        /// The verdict so far; TimedOut as soon as the deadline has passed,
        /// even before the watchdog's thread has acted on it.
        Verdict verdict() const;

    private:
        Verdict end(bool shutdown);

        DeadlineWatchdog& _watchdog;
        std::uint64_t _id;
        Clock::time_point _deadline;
        bool _released = false;
        Verdict _final = Verdict::Running;
    };

    /// Ends every request in flight now, whatever its deadline: attached
    /// sockets are shut down, and a request still connecting fails as soon
    /// as its connection is made (connecting is bounded by connect_timeout).
    /// Requests started afterwards are not affected. Returns how many
    /// requests were cancelled.
    std::size_t abortAll();

    ~DeadlineWatchdog();
    DeadlineWatchdog(const DeadlineWatchdog&) = delete;
    DeadlineWatchdog& operator=(const DeadlineWatchdog&) = delete;

private:
    DeadlineWatchdog();

    struct Entry
    {
        Clock::time_point deadline;
        Verdict verdict = Verdict::Running;
        std::unique_ptr<SocketAbort> socket;
    };

    std::uint64_t add(Clock::time_point deadline);
    void attach(std::uint64_t id, std::unique_ptr<SocketAbort> socket);
    Verdict remove(std::uint64_t id, bool shutdown);
    Verdict verdictOf(std::uint64_t id) const;
    void run();

    mutable std::mutex _mutex;
    std::condition_variable _wake;
    std::map<std::uint64_t, Entry> _entries;
    /// Deadlines of the Running entries, earliest first.
    std::set<std::pair<Clock::time_point, std::uint64_t>> _queue;
    std::uint64_t _nextId = 1;
    bool _stopping = false;
    std::thread _thread;
};

} // namespace TokenBroker
