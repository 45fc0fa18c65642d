#pragma once

#include "RefreshTiming.h"
#include "Clock.h"
#include "Profile.h"
#include "ProfileView.h"

#include <Poco/Logger.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace TokenBroker {

/// Keeps a set of profiles' tokens fresh: renews each at refresh.at of its
/// lifetime, backs off after failures (full jitter, Retry-After honoured),
/// withdraws tokens that expire while the server is unreachable. Renewals
/// run on a bounded pool of workers and a profile is never renewed twice at
/// once, so one slow profile does not delay another. Deadlines are
/// wall-clock times re-checked at least every 30 s, so a suspend or clock
/// jump leads to a prompt renewal.
class Scheduler
{
public:
    Scheduler(RefreshPolicy policy, int workers, const Clock& clock = Clock::system());
    ~Scheduler();

    /// Starts the threads and keeps `profiles` fresh (see apply()).
    void start(const std::vector<std::shared_ptr<Profile>>& profiles);

    /// Replaces the set of profiles after a reload: profiles whose name and
    /// fingerprint are unchanged keep their token and schedule; added ones
    /// start; changed ones restart; removed ones stop, and their outputs are
    /// withdrawn when their on_remove says so. A valid stored token is
    /// published at once and renewed on schedule; others are obtained now.
    void apply(const std::vector<std::shared_ptr<Profile>>& profiles);

    /// Changes the refresh policy for future scheduling decisions.
    void setPolicy(RefreshPolicy policy);

    /// Renews a profile as soon as a worker is free, even if it was parked
    /// (fatal error or needs login). False if there is no such profile.
    bool renewNow(const std::string& name);

    /// Stops scheduling; waits up to `grace` for renewals in flight (their
    /// output writes complete), then returns. Returns the number of renewals
    /// still running (blocked in the network) that were abandoned.
    std::size_t stop(std::chrono::milliseconds grace = std::chrono::seconds(4));

    std::vector<ProfileView> snapshot() const;

    static constexpr std::int64_t maxSleepMs = 30000;

private:
    struct Entry
    {
        std::shared_ptr<Profile> profile;
        std::int64_t dueMs = 0;
        int failures = 0;
        std::uint64_t refreshes = 0;
        std::uint64_t failedTotal = 0;
        bool inFlight = false;
        bool parked = false;    ///< fatal / needs login: wait for reload, login or renewNow
    };

    void loop();
    void work();
    void schedule(Entry& entry, const FlowResult& result);
    Entry entryFor(const std::shared_ptr<Profile>& profile) const;
    /// Stops keeping an entry's profile fresh; `withdraw` removes its outputs
    /// (now, or when its renewal in flight has finished).
    void retire(Entry& entry, bool withdraw);

    RefreshTiming _timing;
    int _workerCount;
    const Clock& _clock;
    Poco::Logger& _logger;

    mutable std::mutex _mutex;
    std::condition_variable _wake;
    std::condition_variable _workAvailable;
    std::condition_variable _idle;
    std::map<std::string, Entry> _entries;
    std::deque<std::string> _queue;
    /// Profiles dropped by a reload while renewing, and whether their
    /// outputs go once that renewal is over.
    std::map<const Profile*, bool> _retiring;
    bool _stopping = false;
    bool _started = false;
    int _busyWorkers = 0;
    std::thread _loopThread;
    std::vector<std::thread> _workers;
};

} // namespace TokenBroker
