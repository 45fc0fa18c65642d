#include "DeadlineWatchdog.h"

namespace TokenBroker {

DeadlineWatchdog& DeadlineWatchdog::instance()
{
    static DeadlineWatchdog watchdog;
    return watchdog;
}

DeadlineWatchdog::DeadlineWatchdog()
    : _thread([this] { run(); })
{
}

DeadlineWatchdog::~DeadlineWatchdog()
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _stopping = true;
    }
    _wake.notify_all();
    _thread.join();
}

std::uint64_t DeadlineWatchdog::add(Clock::time_point deadline)
{
    std::lock_guard<std::mutex> lock(_mutex);
    const std::uint64_t id = _nextId++;
    _entries[id].deadline = deadline;
    const bool earliest = _queue.empty() || deadline < _queue.begin()->first;
    _queue.emplace(deadline, id);
    if (earliest)
        _wake.notify_all();
    return id;
}

void DeadlineWatchdog::attach(std::uint64_t id, std::unique_ptr<SocketAbort> socket)
{
    std::unique_ptr<SocketAbort> previous;
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _entries.find(id);
    if (it == _entries.end())
        return;
    // A reconnection replaces the socket; the old duplicate goes after the
    // lock is released (destroyed after `lock`, declared before it).
    previous = std::move(it->second.socket);
    it->second.socket = std::move(socket);
    // The deadline or abortAll() came while the request was connecting.
    if (it->second.verdict != Verdict::Running)
        it->second.socket->shutdown();
}

DeadlineWatchdog::Verdict DeadlineWatchdog::remove(std::uint64_t id, bool shutdown)
{
    std::unique_ptr<SocketAbort> socket;
    Verdict verdict = Verdict::Running;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        auto it = _entries.find(id);
        if (it == _entries.end())
            return verdict;
        verdict = it->second.verdict;
        _queue.erase({it->second.deadline, id});
        socket = std::move(it->second.socket);
        _entries.erase(it);
    }
    // Outside the lock: the watchdog never waits on a system call here.
    if (socket && shutdown)
        socket->shutdown();
    return verdict;
}

DeadlineWatchdog::Verdict DeadlineWatchdog::verdictOf(std::uint64_t id) const
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _entries.find(id);
    return it == _entries.end() ? Verdict::Running : it->second.verdict;
}

std::size_t DeadlineWatchdog::abortAll()
{
    std::lock_guard<std::mutex> lock(_mutex);
    std::size_t cancelled = 0;
    for (auto& [id, entry] : _entries)
    {
        if (entry.verdict != Verdict::Running)
            continue;
        entry.verdict = Verdict::Cancelled;
        _queue.erase({entry.deadline, id});
        if (entry.socket)
            entry.socket->shutdown();
        ++cancelled;
    }
    return cancelled;
}

void DeadlineWatchdog::run()
{
    std::unique_lock<std::mutex> lock(_mutex);
    while (!_stopping)
    {
        if (_queue.empty())
        {
            _wake.wait(lock);
            continue;
        }
        const auto [deadline, id] = *_queue.begin();
        if (Clock::now() < deadline)
        {
            // Woken early by an earlier deadline, a removal or the stop:
            // look at the queue again either way.
            _wake.wait_until(lock, deadline);
            continue;
        }
        _queue.erase(_queue.begin());
        Entry& entry = _entries.at(id);
        entry.verdict = Verdict::TimedOut;
        if (entry.socket)
            entry.socket->shutdown();
    }
}

DeadlineWatchdog::Watch::Watch(DeadlineWatchdog& watchdog, Clock::time_point deadline)
    : _watchdog(watchdog)
    , _id(watchdog.add(deadline))
    , _deadline(deadline)
{
}

DeadlineWatchdog::Watch::~Watch()
{
    release();
}

void DeadlineWatchdog::Watch::attach(poco_socket_t socket)
{
    _watchdog.attach(_id, std::make_unique<SocketAbort>(socket));
}

DeadlineWatchdog::Verdict DeadlineWatchdog::Watch::release()
{
    return end(false);
}

DeadlineWatchdog::Verdict DeadlineWatchdog::Watch::abandon()
{
    return end(true);
}

DeadlineWatchdog::Verdict DeadlineWatchdog::Watch::end(bool shutdown)
{
    if (!_released)
    {
        _final = _watchdog.remove(_id, shutdown);
        // The watchdog's thread may not have got to a deadline that has
        // passed; the request is late all the same.
        if (_final == Verdict::Running && Clock::now() >= _deadline)
            _final = Verdict::TimedOut;
        _released = true;
    }
    return _final;
}

DeadlineWatchdog::Verdict DeadlineWatchdog::Watch::verdict() const
{
    const Verdict verdict = _released ? _final : _watchdog.verdictOf(_id);
    if (verdict == Verdict::Running && !_released && Clock::now() >= _deadline)
        return Verdict::TimedOut;
    return verdict;
}

} // namespace TokenBroker
