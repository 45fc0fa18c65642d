#pragma once

#include "Backoff.h"
#include "Clock.h"
#include "Profile.h"

#include <Poco/Logger.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace TokenBroker {

/// Keeps a set of profiles' tokens fresh: renews each at refresh.at of its
/// lifetime, backs off after failures, withdraws tokens that expire while
/// the server is unreachable. Renewals run on a bounded pool of workers and
/// a profile is never renewed twice at once, so one slow profile does not
/// delay another. Deadlines are wall-clock times re-checked at least every
/// 30 s, so a suspend or clock jump leads to a prompt renewal.
class Scheduler
{
public:
    Scheduler(RefreshPolicy policy, int workers, const Clock& clock = Clock::system());
    ~Scheduler();

    /// Starts keeping `profiles` fresh: a valid stored token is published at
    /// once and renewed on schedule; others are obtained immediately.
    void start(const std::vector<std::shared_ptr<Profile>>& profiles);

    /// Stops scheduling, waits for renewals in flight, joins the threads.
    void stop();

    /// Wakes the loop so every profile is re-examined (e.g. after a clock change).
    void poke();

    static constexpr std::int64_t maxSleepMs = 30000;

private:
    struct Entry
    {
        std::shared_ptr<Profile> profile;
        std::int64_t dueMs = 0;
        int failures = 0;
        bool inFlight = false;
        bool parked = false;   ///< fatal / needs login: wait for reload or login
    };

    void loop();
    void work();

    RefreshTiming _timing;
    int _workerCount;
    const Clock& _clock;
    Poco::Logger& _logger;

    std::mutex _mutex;
    std::condition_variable _wake;
    std::condition_variable _workAvailable;
    std::map<std::string, Entry> _entries;
    std::deque<std::string> _queue;
    bool _stopping = false;
    std::thread _loopThread;
    std::vector<std::thread> _workers;
};

} // namespace TokenBroker
