#pragma once

#include "Clock.h"
#include "Profile.h"
#include "ProfileView.h"
#include "RefreshDurations.h"
#include "RefreshTiming.h"

#include <Poco/Logger.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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
///
/// Work is queued by identity: each live profile has one slot (shared by
/// the map, the queue and the worker running it), and a reload retires a
/// slot instead of forgetting it, so a renewal queued or running across a
/// reload always finds out what became of its profile. All profile I/O runs
/// on the workers; the scheduler thread only decides and withdraws expired
/// tokens, which never waits for a renewal or a file lock.
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
    /// withdrawn when their on_remove says so (at once, or when a renewal
    /// running for them ends). A starting profile publishes its valid
    /// stored token and is renewed on schedule; others are obtained now.
    void apply(const std::vector<std::shared_ptr<Profile>>& profiles);

    /// Changes the refresh policy for future scheduling decisions.
    void setPolicy(RefreshPolicy policy);

    /// Renews a profile as soon as a worker is free, even if it was parked
    /// (fatal error or needs login). False if there is no such profile.
    bool renewNow(const std::string& name);

    /// Called (on a worker, no lock held) each time a renewal of a profile
    /// ends in needs_login: the daemon may start a login for it.
    void onNeedsLogin(std::function<void(const std::shared_ptr<Profile>&)> handler);

    /// Called (on a worker, no lock held) when a renewal ends with none
    /// other running or queued: a burst of renewals is over.
    void onIdle(std::function<void()> handler);

    /// A login outside the scheduler (the daemon's own) obtained `result`
    /// for `profile`: it is renewed on schedule from now on. Nothing when
    /// a reload has replaced or removed the profile meanwhile.
    void loggedIn(const std::shared_ptr<Profile>& profile, const FlowResult& result);

    /// Re-reads the clock now instead of at the next planned wake-up (for
    /// a clock that moved; the system clock is re-read every 30 s anyway).
    void wake();

    /// Stops scheduling and waits up to `grace` for renewals in flight to
    /// finish (a rotated refresh token they are fetching is then stored).
    /// Returns the number of renewals still running after `grace`; the
    /// caller may cancel their network I/O and call stop() again to wait
    /// for them. Threads are joined once no renewal runs.
    std::size_t stop(std::chrono::milliseconds grace = std::chrono::seconds(4));

    std::vector<ProfileView> snapshot() const;

    /// The live profile of that name; null when there is none.
    std::shared_ptr<Profile> find(const std::string& name) const;

    /// True once every profile given to start()/apply() has had its first
    /// attempt (a stored token adopted, or a renewal that succeeded or
    /// failed).
    bool firstPassDone() const;

    static constexpr std::int64_t maxSleepMs = 30000;

private:
    struct Slot
    {
        std::shared_ptr<Profile> profile;
        std::int64_t dueMs = 0;
        int failures = 0;
        std::uint64_t refreshes = 0;
        std::uint64_t failedTotal = 0;
        bool started = false;          ///< the first attempt (adopt or renew) has run
        bool queued = false;
        bool running = false;
        std::int64_t runningSinceMs = 0;
        bool parked = false;           ///< fatal / needs login: wait for reload, login or renewNow
        bool retired = false;          ///< removed or replaced by a reload
        bool withdrawOnRetire = false; ///< its outputs go when the running renewal ends
        std::int64_t lastSuccessMs = 0;
        /// When the profile's current token expires (ms; 0: no token or no
        /// expiry), read after every change the scheduler makes to it, so
        /// that the loop's pass over every slot takes no profile's lock.
        std::int64_t expiresAtMs = 0;
        RefreshDurations durations;    ///< renewals only, not adopted stored tokens
    };
    using SlotPtr = std::shared_ptr<Slot>;

    void loop();
    void work();
    void enqueue(const SlotPtr& slot);
    /// The first attempt adopts a valid stored token (`adopted`) or renews.
    FlowResult run(Slot& slot, bool& adopted);
    void schedule(Slot& slot, const FlowResult& result, bool adopted);
    /// Marks a slot retired; returns true when its outputs must be
    /// withdrawn now (nothing runs for it).
    bool retire(const SlotPtr& slot, bool withdraw);

    RefreshTiming _timing;
    int _workerCount;
    const Clock& _clock;
    Poco::Logger& _logger;

    mutable std::mutex _mutex;
    std::condition_variable _wake;
    std::condition_variable _workAvailable;
    std::condition_variable _idle;
    std::map<std::string, SlotPtr> _slots;
    std::deque<SlotPtr> _queue;
    bool _woken = false;
    /// When the loop will next look at the slots by itself (0 while it is
    /// looking): a renewal that ends wakes it only if it is due earlier.
    std::int64_t _plannedWakeMs = 0;
    bool _stopping = false;
    bool _started = false;
    int _busyWorkers = 0;
    std::thread _loopThread;
    std::vector<std::thread> _workers;
    std::function<void(const std::shared_ptr<Profile>&)> _needsLogin;
    std::function<void()> _idleHandler;
};

} // namespace TokenBroker
