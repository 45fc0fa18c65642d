#include "Scheduler.h"

#include "Duration.h"
#include "ProfileLog.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <limits>

namespace TokenBroker {

namespace {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

/// When `profile`'s current token expires in ms; 0 without a token or expiry.
std::int64_t expiryMs(const Profile& profile)
{
    auto token = profile.current();
    return token && token->expires() ? token->expiresAt * 1000 : 0;
}

std::string formatTime(std::int64_t ms)
{
    if (ms == never)
        return "never";
    return formatUtcTime(ms / 1000);
}

} // namespace

Scheduler::Scheduler(RefreshPolicy policy, int workers, const Clock& clock)
    : _timing(policy)
    , _workerCount(std::max(1, workers))
    , _clock(clock)
    , _logger(Poco::Logger::get("tokenbroker.scheduler"))
{
}

Scheduler::~Scheduler()
{
    // Never leave a worker running on a destroyed scheduler: the owner
    // cancels network I/O first (Daemon::stop), so this ends.
    while (stop(std::chrono::seconds(30)) > 0)
        _logger.warning("still waiting for renewals in flight before the scheduler can go");
}

void Scheduler::start(const std::vector<std::shared_ptr<Profile>>& profiles)
{
    apply(profiles);
    std::lock_guard<std::mutex> lock(_mutex);
    if (_started)
        return;
    _started = true;
    _stopping = false;
    _loopThread = std::thread([this] { loop(); });
    for (int i = 0; i < _workerCount; ++i)
        _workers.emplace_back([this] { work(); });
}

bool Scheduler::retire(const SlotPtr& slot, bool withdraw)
{
    slot->retired = true;
    slot->profile->retire();
    if (slot->running)
    {
        slot->withdrawOnRetire = withdraw;
        return false;
    }
    if (slot->queued)
    {
        _queue.erase(std::remove(_queue.begin(), _queue.end(), slot), _queue.end());
        slot->queued = false;
    }
    return withdraw;
}

void Scheduler::apply(const std::vector<std::shared_ptr<Profile>>& profiles)
{
    std::map<std::string, std::shared_ptr<Profile>> incoming;
    for (const auto& profile : profiles)
        incoming[profile->name()] = profile;

    std::vector<std::shared_ptr<Profile>> toWithdraw;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        const std::int64_t now = _clock.nowMs();
        auto fresh = [now](const std::shared_ptr<Profile>& profile) {
            auto slot = std::make_shared<Slot>();
            slot->profile = profile;
            slot->dueMs = now;
            slot->expiresAtMs = expiryMs(*profile);
            return slot;
        };
        for (auto it = _slots.begin(); it != _slots.end();)
        {
            auto next = incoming.find(it->first);
            if (next == incoming.end())
            {
                const bool withdraw = it->second->profile->spec().onRemove == "remove";
                logAboutProfile(_logger, Poco::Message::PRIO_NOTICE, it->first, {}, "removed from the configuration%s",
                                std::string(withdraw ? "; withdrawing its outputs" : "; its outputs stay"));
                if (retire(it->second, withdraw))
                    toWithdraw.push_back(it->second->profile);
                it = _slots.erase(it);
                continue;
            }
            if (next->second->fingerprint() != it->second->profile->fingerprint())
            {
                logAboutProfile(_logger, Poco::Message::PRIO_NOTICE, it->first, {}, "changed; restarting it");
                retire(it->second, false);
                it->second = fresh(next->second);
            }
            // else unchanged: token and schedule stay as they are
            incoming.erase(next);
            ++it;
        }
        for (const auto& [name, profile] : incoming)
            _slots[name] = fresh(profile);
        _woken = true;
    }
    for (const auto& profile : toWithdraw)
        profile->withdrawOutputs();
    _wake.notify_all();
}

void Scheduler::setPolicy(RefreshPolicy policy)
{
    std::lock_guard<std::mutex> lock(_mutex);
    _timing = RefreshTiming(policy);
}

bool Scheduler::renewNow(const std::string& name)
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        auto it = _slots.find(name);
        if (it == _slots.end())
            return false;
        it->second->parked = false;
        it->second->failures = 0;
        it->second->dueMs = _clock.nowMs();
        _woken = true;
    }
    _wake.notify_all();
    return true;
}

void Scheduler::wake()
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _woken = true;
    }
    _wake.notify_all();
}

std::size_t Scheduler::stop(std::chrono::milliseconds grace)
{
    std::unique_lock<std::mutex> lock(_mutex);
    if (!_started)
        return 0;
    _stopping = true;
    for (const auto& slot : _queue)
        slot->queued = false;
    _queue.clear();
    _wake.notify_all();
    _workAvailable.notify_all();
    // A renewal in flight may be fetching a rotated refresh token: let it
    // finish (its request has its own deadline) so the token is stored.
    _idle.wait_for(lock, grace, [this] { return _busyWorkers == 0; });
    if (_busyWorkers > 0)
        return static_cast<std::size_t>(_busyWorkers);
    lock.unlock();
    if (_loopThread.joinable())
        _loopThread.join();
    for (auto& worker : _workers)
        worker.join();
    _workers.clear();
    lock.lock();
    _started = false;
    return 0;
}

std::vector<ProfileView> Scheduler::snapshot() const
{
    std::vector<std::pair<SlotPtr, Slot>> slots;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        for (const auto& [name, slot] : _slots)
            slots.emplace_back(slot, *slot);
    }
    std::vector<ProfileView> views;
    for (const auto& [pointer, slot] : slots)
    {
        const Profile& profile = *slot.profile;
        ProfileView view;
        view.name = profile.name();
        view.flow = profile.spec().flow;
        view.deviceLogin = profile.hasDeviceLogin();
        view.status = profile.status();
        view.outputsCurrent = profile.outputsCurrent();
        if (auto token = profile.current())
        {
            view.hasToken = true;
            view.expiresAt = token->expiresAt;
        }
        view.nextRefreshMs = slot.parked ? never : slot.dueMs;
        view.consecutiveFailures = slot.failures;
        view.refreshes = slot.refreshes;
        view.failures = slot.failedTotal;
        view.inFlight = slot.running;
        view.inFlightSinceMs = slot.running ? slot.runningSinceMs : 0;
        view.lastSuccessMs = slot.lastSuccessMs;
        view.durations = slot.durations;
        view.hookRuns = profile.hookRuns();
        view.lastError = profile.lastError();
        view.outputs = profile.describeOutputs();
        view.description = profile.description();
        views.push_back(view);
    }
    return views;
}

void Scheduler::onNeedsLogin(std::function<void(const std::shared_ptr<Profile>&)> handler)
{
    std::lock_guard<std::mutex> lock(_mutex);
    _needsLogin = std::move(handler);
}

void Scheduler::onIdle(std::function<void()> handler)
{
    std::lock_guard<std::mutex> lock(_mutex);
    _idleHandler = std::move(handler);
}

void Scheduler::loggedIn(const std::shared_ptr<Profile>& profile, const FlowResult& result)
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        auto it = _slots.find(profile->name());
        if (it == _slots.end() || it->second->profile != profile || it->second->retired)
            return;
        Slot& slot = *it->second;
        slot.parked = false;
        slot.started = true;
        schedule(slot, result, false);
        slot.expiresAtMs = expiryMs(*slot.profile);
        _woken = true;
    }
    _wake.notify_all();
}

std::shared_ptr<Profile> Scheduler::find(const std::string& name) const
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _slots.find(name);
    return it == _slots.end() ? nullptr : it->second->profile;
}

bool Scheduler::firstPassDone() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return std::all_of(_slots.begin(), _slots.end(), [](const auto& entry) { return entry.second->started; });
}

void Scheduler::enqueue(const SlotPtr& slot)
{
    slot->queued = true;
    _queue.push_back(slot);
    _workAvailable.notify_one();
}

void Scheduler::loop()
{
    std::unique_lock<std::mutex> lock(_mutex);
    while (!_stopping)
    {
        const std::int64_t now = _clock.nowMs();
        std::int64_t nextWake = now + maxSleepMs;
        std::vector<SlotPtr> expired;
        for (auto& [name, slot] : _slots)
        {
            // Expiry is checked for renewals in flight too: one hanging in
            // the network must not keep an expired token in the outputs.
            if (slot->expiresAtMs != 0 && slot->expiresAtMs <= now)
                expired.push_back(slot);
            else if (slot->expiresAtMs != 0)
                nextWake = std::min(nextWake, slot->expiresAtMs);
            if (slot->queued || slot->running || slot->parked)
                continue;
            if (slot->dueMs <= now)
                enqueue(slot);
            else
                nextWake = std::min(nextWake, slot->dueMs);
        }
        if (!expired.empty())
        {
            // The server stayed unreachable past expiry: a stale token must
            // not look usable to the programs reading the outputs.
            lock.unlock();
            for (const auto& slot : expired)
            {
                if (slot->profile->expire())
                    logAboutProfile(_logger, Poco::Message::PRIO_WARNING, slot->profile->name(), {{"result", "expired"}},
                                    "token expired before it could be renewed; removed from its outputs");
            }
            lock.lock();
            // A renewal may have ended meanwhile: the profile says what it holds.
            for (const auto& slot : expired)
                slot->expiresAtMs = expiryMs(*slot->profile);
            continue;
        }
        _plannedWakeMs = std::max(now + 10, nextWake);
        _wake.wait_for(lock, std::chrono::milliseconds(_plannedWakeMs - now), [this] { return _stopping || _woken; });
        _woken = false;
        _plannedWakeMs = 0;
    }
}

FlowResult Scheduler::run(Slot& slot, bool& adopted)
{
    adopted = false;
    // Only this worker touches the slot's profile now; `started` is read
    // under the lock by the caller and passed in through the slot copy.
    if (!slot.started)
    {
        if (auto stored = slot.profile->adoptStoredToken())
        {
            logAboutProfile(_logger, Poco::Message::PRIO_INFORMATION, slot.profile->name(), {{"result", "reused"}},
                            "reusing the stored token");
            adopted = true;
            return *stored;
        }
    }
    return slot.profile->renew();
}

void Scheduler::schedule(Slot& slot, const FlowResult& result, bool adopted)
{
    const std::string& name = slot.profile->name();
    const std::int64_t now = _clock.nowMs();
    if (result.ok())
    {
        slot.lastSuccessMs = adopted && result.token.obtainedAt > 0 ? result.token.obtainedAt * 1000 : now;
        slot.failures = 0;
        ++slot.refreshes;
        slot.dueMs = _timing.renewAt(result.token.obtainedAt, result.token.expiresAt);
        const std::string validUntil = formatTime(result.token.expires() ? result.token.expiresAt * 1000 : never);
        const std::string nextRefresh = formatTime(slot.dueMs);
        logAboutProfile(_logger, Poco::Message::PRIO_INFORMATION, name,
                        {{"result", "ok"}, {"expires_at", validUntil}, {"next_refresh", nextRefresh}},
                        "ok, token valid until %s, next refresh %s", validUntil, nextRefresh);
        return;
    }
    ++slot.failedTotal;
    if (result.status == TOKENBROKER_RETRY)
    {
        ++slot.failures;
        const std::int64_t delay = _timing.retryDelay(slot.failures, result.retryAfter.value_or(0));
        slot.dueMs = now + delay;
        const std::string nextTry = formatTime(slot.dueMs);
        logAboutProfile(_logger, Poco::Message::PRIO_WARNING, name,
                        {{"result", "retrying"}, {"attempt", std::to_string(slot.failures)}, {"next_try", nextTry}},
                        "failed: %s; attempt %d, next try %s (in %s)", result.message, slot.failures, nextTry,
                        formatDuration((delay + 999) / 1000));
        return;
    }
    slot.parked = true;
    const std::string hint = "run: tokenbroker login " + name;
    logAboutProfile(_logger, Poco::Message::PRIO_ERROR, name,
                    {{"result", result.status != TOKENBROKER_NEEDS_LOGIN ? "failed" : "needs_login"}}, "failed: %s; %s",
                    result.message,
                    std::string(result.status != TOKENBROKER_NEEDS_LOGIN ? "not retrying until the configuration is reloaded"
                                : result.message.find(hint) != std::string::npos ? "needs login"
                                                                                  : "needs login, " + hint));
}

void Scheduler::work()
{
    std::unique_lock<std::mutex> lock(_mutex);
    while (true)
    {
        _workAvailable.wait(lock, [this] { return _stopping || !_queue.empty(); });
        if (_stopping)
            return;
        SlotPtr slot = _queue.front();
        _queue.pop_front();
        slot->queued = false;
        slot->running = true;
        slot->runningSinceMs = _clock.nowMs();
        ++_busyWorkers;
        Slot job = *slot;
        lock.unlock();
        // Steady time: a clock jump during the renewal is no duration.
        const auto began = std::chrono::steady_clock::now();
        bool adopted = false;
        FlowResult result = run(job, adopted);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - began;
        lock.lock();
        if (!adopted)
            slot->durations.record(took.count());
        --_busyWorkers;
        slot->running = false;
        slot->runningSinceMs = 0;
        _idle.notify_all();
        if (slot->retired)
        {
            if (slot->withdrawOnRetire)
            {
                lock.unlock();
                slot->profile->withdrawOutputs();
                lock.lock();
            }
            continue;
        }
        slot->started = true;
        schedule(*slot, result, adopted);
        slot->expiresAtMs = expiryMs(*slot->profile);
        // Waking the loop for every renewal made it pass over every slot
        // as often: at 10,000 profiles that was half the daemon's CPU.
        if (!slot->parked && slot->dueMs < _plannedWakeMs)
        {
            _woken = true;
            _wake.notify_all();
        }
        if (result.status == TOKENBROKER_NEEDS_LOGIN && _needsLogin)
        {
            const auto handler = _needsLogin;
            const auto profile = slot->profile;
            lock.unlock();
            handler(profile);
            lock.lock();
        }
        if (_busyWorkers == 0 && _queue.empty() && _idleHandler)
        {
            const auto handler = _idleHandler;
            lock.unlock();
            handler();
            lock.lock();
        }
    }
}

} // namespace TokenBroker
