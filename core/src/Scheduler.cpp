#include "Scheduler.h"

#include "Duration.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <limits>

namespace TokenBroker {

namespace {

std::string formatTime(std::int64_t ms)
{
    if (ms == std::numeric_limits<std::int64_t>::max())
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
    const std::int64_t now = _clock.nowMs();
    for (const auto& profile : profiles)
    {
        Entry entry;
        entry.profile = profile;
        entry.dueMs = now;
        if (auto token = profile->storedToken(true))
        {
            entry.dueMs = _timing.renewAt(token->obtainedAt, token->expiresAt);
            _logger.information("%s: reusing the stored token, next refresh %s", profile->name(),
                                formatTime(entry.dueMs));
        }
        std::lock_guard<std::mutex> lock(_mutex);
        _entries[profile->name()] = entry;
    }
    _stopping = false;
    _loopThread = std::thread([this] { loop(); });
    for (int i = 0; i < _workerCount; ++i)
        _workers.emplace_back([this] { work(); });
}

void Scheduler::stop()
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _stopping = true;
        _queue.clear();
    }
    _wake.notify_all();
    _workAvailable.notify_all();
    if (_loopThread.joinable())
        _loopThread.join();
    for (auto& worker : _workers)
    {
        if (worker.joinable())
            worker.join();
    }
    _workers.clear();
    std::lock_guard<std::mutex> lock(_mutex);
    _entries.clear();
}

void Scheduler::poke()
{
    _wake.notify_all();
}

void Scheduler::loop()
{
    std::unique_lock<std::mutex> lock(_mutex);
    while (!_stopping)
    {
        const std::int64_t now = _clock.nowMs();
        std::int64_t nextWake = now + maxSleepMs;
        for (auto& [name, entry] : _entries)
        {
            if (entry.inFlight)
                continue;
            auto token = entry.profile->current();
            if (token && token->expires() && token->expiresAt * 1000 <= now)
            {
                // The server stayed unreachable past expiry: a stale token
                // must not look usable to the programs reading the output.
                lock.unlock();
                entry.profile->expire();
                _logger.warning("%s: token expired before it could be renewed; removed from outputs", name);
                lock.lock();
            }
            if (entry.parked)
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
                if (token && token->expires())
                    nextWake = std::min(nextWake, token->expiresAt * 1000);
            }
        }
        _wake.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(10, nextWake - now)));
    }
}

void Scheduler::work()
{
    std::unique_lock<std::mutex> lock(_mutex);
    while (true)
    {
        _workAvailable.wait(lock, [this] { return _stopping || !_queue.empty(); });
        if (_stopping)
            return;
        std::string name = _queue.front();
        _queue.pop_front();
        auto it = _entries.find(name);
        if (it == _entries.end())
            continue;
        Entry& entry = it->second;
        std::shared_ptr<Profile> profile = entry.profile;
        lock.unlock();
        FlowResult result = profile->renew();
        lock.lock();
        it = _entries.find(name);
        if (it == _entries.end())
            continue;
        Entry& done = it->second;
        done.inFlight = false;
        const std::int64_t now = _clock.nowMs();
        if (result.ok())
        {
            done.failures = 0;
            done.dueMs = _timing.renewAt(result.token.obtainedAt, result.token.expiresAt);
            _logger.information("%s: ok, token valid until %s, next refresh %s", name,
                                formatTime(result.token.expires() ? result.token.expiresAt * 1000
                                                                  : std::numeric_limits<std::int64_t>::max()),
                                formatTime(done.dueMs));
        }
        else if (result.status == TOKENBROKER_RETRY)
        {
            ++done.failures;
            const std::int64_t delay = _timing.retryDelay(done.failures, result.retryAfter.value_or(0));
            done.dueMs = now + delay;
            _logger.warning("%s: %s; retry %d in %s", name, result.message, done.failures,
                            formatDuration((delay + 999) / 1000));
        }
        else
        {
            done.parked = true;
            _logger.error("%s: %s; %s", name, result.message,
                          std::string(result.status == TOKENBROKER_NEEDS_LOGIN
                                          ? "run: tokenbroker login " + name
                                          : "not retrying until the configuration is reloaded"));
        }
        _wake.notify_all();
    }
}

} // namespace TokenBroker
