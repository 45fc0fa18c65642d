#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace TokenBroker {

/// Tells waiting work that the process is stopping: waits end at once
/// instead of running out their time. Shared by the daemon, its scheduler
/// and every profile's host services (sleep_ms).
class StopSignal
{
public:
    /// Wakes every waiter; later waits return at once.
    void raise()
    {
        {
            std::lock_guard<std::mutex> lock(_mutex);
            _raised = true;
        }
        _changed.notify_all();
    }

    bool raised() const
    {
        std::lock_guard<std::mutex> lock(_mutex);
        return _raised;
    }

    /// Waits up to `duration`; false when the signal was raised meanwhile.
    bool sleepFor(std::chrono::milliseconds duration) const
    {
        std::unique_lock<std::mutex> lock(_mutex);
        return !_changed.wait_for(lock, duration, [this] { return _raised; });
    }

private:
    mutable std::mutex _mutex;
    mutable std::condition_variable _changed;
    bool _raised = false;
};

} // namespace TokenBroker
