#include "Scheduler.h"

#include "Duration.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <limits>
#include <set>

namespace TokenBroker {

namespace {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

std::string formatTime(std::int64_t ms)
{
    if (ms == never)
        return "never";
    return Poco::DateTimeFormatter::format(Poco::Timestamp(ms * 1000), "%Y-%m-%dT%H:%M:%SZ");
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
    stop();
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

Scheduler::Entry Scheduler::entryFor(const std::shared_ptr<Profile>& profile) const
{
    Entry entry;
    entry.profile = profile;
    entry.dueMs = _clock.nowMs();
    // Outside the lock: this may write outputs.
    if (auto token = profile->storedToken(true))
    {
        entry.dueMs = _timing.renewAt(token->obtainedAt, token->expiresAt);
        _logger.information("%s: reusing the stored token, next refresh %s", profile->name(), formatTime(entry.dueMs));
    }
    return entry;
}

void Scheduler::retire(Entry& entry, bool withdraw)
{
    if (entry.inFlight)
        _retiring[entry.profile.get()] = withdraw;
    else if (withdraw)
        entry.profile->withdrawOutputs();
}

void Scheduler::apply(const std::vector<std::shared_ptr<Profile>>& profiles)
{
    std::map<std::string, std::shared_ptr<Profile>> incoming;
    for (const auto& profile : profiles)
        incoming[profile->name()] = profile;

    std::vector<std::shared_ptr<Profile>> toStart;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        for (auto it = _entries.begin(); it != _entries.end();)
        {
            auto next = incoming.find(it->first);
            if (next == incoming.end())
            {
                const bool withdraw = it->second.profile->spec().onRemove == "remove";
                _logger.notice("%s: removed from the configuration%s", it->first,
                               std::string(withdraw ? "; withdrawing its outputs" : "; its outputs stay"));
                retire(it->second, withdraw);
                it = _entries.erase(it);
            }
            else if (next->second->fingerprint() != it->second.profile->fingerprint())
            {
                _logger.notice("%s: changed; restarting it", it->first);
                retire(it->second, false);
                toStart.push_back(next->second);
                it = _entries.erase(it);
            }
            else
            {
                ++it;   // unchanged: token and schedule stay as they are
            }
        }
        for (const auto& [name, profile] : incoming)
        {
            if (!_entries.count(name) &&
                std::find(toStart.begin(), toStart.end(), profile) == toStart.end())
                toStart.push_back(profile);
        }
    }
    for (const auto& profile : toStart)
    {
        Entry entry = entryFor(profile);
        std::lock_guard<std::mutex> lock(_mutex);
        _entries[profile->name()] = entry;
    }
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
        auto it = _entries.find(name);
        if (it == _entries.end())
            return false;
        it->second.parked = false;
        it->second.failures = 0;
        it->second.dueMs = _clock.nowMs();
    }
    _wake.notify_all();
    return true;
}

std::size_t Scheduler::stop(std::chrono::milliseconds grace)
{
    std::unique_lock<std::mutex> lock(_mutex);
    if (!_started)
        return 0;
    _stopping = true;
    _queue.clear();
    _wake.notify_all();
    _workAvailable.notify_all();
    // Renewals in flight finish their output writes; one blocked in the
    // network is abandoned after the grace period (its writes are atomic,
    // so nothing half-written is left behind).
    _idle.wait_for(lock, grace, [this] { return _busyWorkers == 0; });
    const std::size_t abandoned = static_cast<std::size_t>(_busyWorkers);
    lock.unlock();
    if (_loopThread.joinable())
        _loopThread.join();
    for (auto& worker : _workers)
    {
        if (!worker.joinable())
            continue;
        if (abandoned == 0)
            worker.join();
        else
            worker.detach();
    }
    _workers.clear();
    lock.lock();
    _started = false;
    if (abandoned == 0)
        _entries.clear();
    return abandoned;
}

std::vector<ProfileView> Scheduler::snapshot() const
{
    std::vector<std::pair<Entry, bool>> entries;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        for (const auto& [name, entry] : _entries)
            entries.emplace_back(entry, entry.inFlight);
    }
    std::vector<ProfileView> views;
    for (const auto& [entry, inFlight] : entries)
    {
        ProfileView view;
        view.name = entry.profile->name();
        view.flow = entry.profile->spec().flow;
        view.status = entry.profile->status();
        if (auto token = entry.profile->current())
        {
            view.hasToken = true;
            view.expiresAt = token->expiresAt;
        }
        view.nextRefreshMs = entry.parked ? never : entry.dueMs;
        view.consecutiveFailures = entry.failures;
        view.refreshes = entry.refreshes;
        view.failures = entry.failedTotal;
        view.inFlight = inFlight;
        view.lastError = entry.profile->lastError();
        view.outputs = entry.profile->describeOutputs();
        view.description = entry.profile->description();
        views.push_back(view);
    }
    return views;
}

void Scheduler::loop()
{
    std::unique_lock<std::mutex> lock(_mutex);
    while (!_stopping)
    {
        const std::int64_t now = _clock.nowMs();
        std::int64_t nextWake = now + maxSleepMs;
        std::vector<std::shared_ptr<Profile>> expired;
        for (auto& [name, entry] : _entries)
        {
            // Expiry is checked for renewals in flight too: one hanging in
            // the network must not keep an expired token in the outputs.
            auto token = entry.profile->current();
            if (token && token->expires() && token->expiresAt * 1000 <= now)
                expired.push_back(entry.profile);
            else if (token && token->expires())
                nextWake = std::min(nextWake, token->expiresAt * 1000);
            if (entry.inFlight || entry.parked)
                continue;
            if (entry.dueMs <= now)
            {
                entry.inFlight = true;
                _queue.push_back(name);
                _workAvailable.notify_one();
            }
            else
            {
                nextWake = std::min(nextWake, entry.dueMs);
            }
        }
        if (!expired.empty())
        {
            // The server stayed unreachable past expiry: a stale token must
            // not look usable to the programs reading the outputs.
            lock.unlock();
            for (const auto& profile : expired)
            {
                if (profile->expire())
                    _logger.warning("%s: token expired before it could be renewed; removed from its outputs",
                                    profile->name());
            }
            lock.lock();
            continue;
        }
        _wake.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(10, nextWake - now)));
    }
}

void Scheduler::schedule(Entry& entry, const FlowResult& result)
{
    const std::string& name = entry.profile->name();
    const std::int64_t now = _clock.nowMs();
    if (result.ok())
    {
        entry.failures = 0;
        ++entry.refreshes;
        entry.dueMs = _timing.renewAt(result.token.obtainedAt, result.token.expiresAt);
        _logger.information("%s: ok, token valid until %s, next refresh %s", name,
                            formatTime(result.token.expires() ? result.token.expiresAt * 1000 : never),
                            formatTime(entry.dueMs));
        return;
    }
    ++entry.failedTotal;
    if (result.status == TOKENBROKER_RETRY)
    {
        ++entry.failures;
        const std::int64_t delay = _timing.retryDelay(entry.failures, result.retryAfter.value_or(0));
        entry.dueMs = now + delay;
        _logger.warning("%s: failed: %s; attempt %d, next try %s (in %s)", name, result.message, entry.failures,
                        formatTime(entry.dueMs), formatDuration((delay + 999) / 1000));
        return;
    }
    entry.parked = true;
    const std::string hint = "run: tokenbroker login " + name;
    _logger.error("%s: failed: %s; %s", name, result.message,
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
        const std::string name = _queue.front();
        _queue.pop_front();
        auto it = _entries.find(name);
        if (it == _entries.end())
            continue;
        std::shared_ptr<Profile> profile = it->second.profile;
        ++_busyWorkers;
        lock.unlock();
        FlowResult result = profile->renew();
        lock.lock();
        --_busyWorkers;
        _idle.notify_all();
        auto retired = _retiring.find(profile.get());
        if (retired != _retiring.end())
        {
            const bool withdraw = retired->second;
            _retiring.erase(retired);
            if (withdraw)
            {
                lock.unlock();
                profile->withdrawOutputs();
                lock.lock();
            }
            continue;
        }
        it = _entries.find(name);
        if (it == _entries.end() || it->second.profile != profile)
            continue;
        it->second.inFlight = false;
        schedule(it->second, result);
        _wake.notify_all();
    }
}

} // namespace TokenBroker
