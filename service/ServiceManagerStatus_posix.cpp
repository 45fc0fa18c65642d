#include "ServiceManagerStatus_posix.h"

#include "AdminServer.h"
#include "Clock.h"
#include "Daemon.h"

#include <Poco/Logger.h>

#include <unistd.h>

#include <utility>

namespace TokenBroker {

namespace {

/// While the first pass runs, how often it is looked at.
constexpr std::chrono::milliseconds kStartPoll{100};
/// How soon a changed STATUS= reaches `systemctl status`.
constexpr std::chrono::seconds kStatusPeriod{2};
/// Profiles named in STATUS= when some are not ready.
constexpr std::size_t kNamedNotReady = 3;

} // namespace

ServiceManagerStatus::ServiceManagerStatus(SystemdNotify notify, const Daemon& daemon)
    : _notify(std::move(notify))
    , _daemon(daemon)
{
    if (_notify.enabled())
        _thread = std::thread([this] { run(); });
}

ServiceManagerStatus::~ServiceManagerStatus()
{
    stopping();
    if (_thread.joinable())
        _thread.join();
}

void ServiceManagerStatus::reloading()
{
    if (!_notify.enabled())
        return;
    std::lock_guard<std::mutex> lock(_mutex);
    // Still starting: systemd waits for the first READY=1 anyway.
    if (!_ready)
        return;
    _reloading = true;
    _notify.send("RELOADING=1\n" + SystemdNotify::monotonicUsec() + "\nSTATUS=reloading the configuration");
}

void ServiceManagerStatus::reloaded()
{
    if (!_notify.enabled())
        return;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (!_reloading)
            return;
        _reloading = false;
        // READY=1 again once the profiles the file added have had their
        // first attempt, as at start; at once when the file was refused or
        // added nothing.
        _ready = false;
    }
    _wake.notify_all();
}

void ServiceManagerStatus::stopping()
{
    if (!_notify.enabled())
        return;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_stopping)
            return;
        _stopping = true;
        _notify.send("STOPPING=1\nSTATUS=stopping");
    }
    _wake.notify_all();
}

std::string ServiceManagerStatus::statusLine() const
{
    const auto views = _daemon.profiles();
    const std::int64_t now = Clock::system().nowSeconds();
    std::size_t ready = 0;
    std::string notReady;
    std::size_t named = 0;
    for (const auto& view : views)
    {
        if (profileReady(view, now))
        {
            ++ready;
            continue;
        }
        if (named++ < kNamedNotReady)
            notReady += (notReady.empty() ? "" : ", ") + view.name + " (" + toString(view.status) + ")";
    }
    if (named > kNamedNotReady)
        notReady += ", ...";
    std::string line = std::to_string(ready) + "/" + std::to_string(views.size()) + " profiles ready";
    if (!notReady.empty())
        line += "; not ready: " + notReady;
    return line;
}

void ServiceManagerStatus::run()
{
    using SteadyClock = std::chrono::steady_clock;
    const auto watchdog = _notify.watchdogTimeout();
    // Half the timeout, as sd_watchdog_enabled(3) advises.
    const auto watchdogPeriod = watchdog ? std::chrono::duration_cast<SteadyClock::duration>(*watchdog / 2) : SteadyClock::duration::max();
    auto nextWatchdog = SteadyClock::now();
    auto nextStatus = SteadyClock::now();
    std::unique_lock<std::mutex> lock(_mutex);
    while (!_stopping)
    {
        const auto now = SteadyClock::now();
        if (!_ready)
        {
            lock.unlock();
            const bool started = _daemon.firstPassDone();
            lock.lock();
            if (started && !_stopping)
            {
                _ready = true;
                _lastStatus = statusLine();
                _notify.send("READY=1\nSTATUS=" + _lastStatus + "\nMAINPID=" + std::to_string(::getpid()));
                Poco::Logger::get("tokenbroker").information("told the service manager: ready (%s)", _lastStatus);
                nextStatus = now + kStatusPeriod;
            }
        }
        else if (!_reloading && now >= nextStatus)
        {
            const std::string status = statusLine();
            if (status != _lastStatus)
            {
                _lastStatus = status;
                _notify.send("STATUS=" + status);
            }
            nextStatus = now + kStatusPeriod;
        }
        if (watchdog && now >= nextWatchdog)
        {
            // A pet says the process runs and its status can be read; a
            // renewal that hangs is bounded by its own deadlines instead.
            _notify.send("WATCHDOG=1");
            nextWatchdog = now + watchdogPeriod;
        }
        auto until = _ready ? nextStatus : now + kStartPoll;
        if (watchdog && nextWatchdog < until)
            until = nextWatchdog;
        _wake.wait_until(lock, until);
    }
}

} // namespace TokenBroker
