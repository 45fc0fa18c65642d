#include "Daemon.h"

#include "AdminClient.h"
#include "AtomicFile.h"
#include "FileSystem.h"
#include "FreeMemory.h"
#include "ConfigLoader.h"
#include "Duration.h"
#include "HookProcess.h"
#include "HttpClient.h"

namespace TokenBroker {

namespace {

/// `parsed` when the caller read the file already (at start), else the file.
std::unique_ptr<LoadedConfig> load(const std::string& path, const std::shared_ptr<const StopSignal>& stop,
                                   std::optional<Config> parsed = std::nullopt)
{
    Config config = parsed ? std::move(*parsed) : ConfigLoader::parseFile(path);
    auto plugins = LoadedConfig::loadPlugins(config.broker);
    return std::make_unique<LoadedConfig>(std::move(config), plugins, Clock::system(), stop);
}

} // namespace

Daemon::Daemon(std::string configPath, std::optional<Config> parsed)
    : _configPath(std::move(configPath))
    , _logger(Poco::Logger::get("tokenbroker"))
    , _stop(std::make_shared<StopSignal>())
    , _logins(_stop, _logger)
{
    _view.configPath = _configPath;
    _view.startedMs = Clock::system().nowMs();
    _broker = load(_configPath, _stop, std::move(parsed));
    claimStateDirectory();
    for (const auto& refusal : _broker->plugins().refusals())
        _logger.warning("plugin not loaded: %s: %s", refusal.path, refusal.reason);
    const BrokerSettings& settings = _broker->config().broker;
    _scheduler = std::make_unique<Scheduler>(settings.refresh, settings.workers);
    _deviceLoginAuto = settings.deviceLoginAuto;
    _scheduler->onNeedsLogin([this](const std::shared_ptr<Profile>& profile) {
        // Not while stopping: a renewal that ends during stop() starts nothing.
        if (_deviceLoginAuto && profile->hasDeviceLogin() && !_stop->raised())
            startDeviceLogin(profile);
    });
    _scheduler->onIdle([this] { releaseMemoryAfterBurst(); });
    _scheduler->start(_broker->profiles());
    startAdmin(settings);
    _logger.notice("running with %z profiles from %s", _broker->profiles().size(), _configPath);
}

void Daemon::releaseMemoryAfterBurst()
{
    // At most every 10 s: with many profiles the workers fall idle after
    // nearly every renewal, and each release walks the free heap.
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    std::int64_t last = _lastMemoryReleaseMs.load();
    if (last != 0 && now - last < 10000)
        return;
    if (_lastMemoryReleaseMs.compare_exchange_strong(last, now))
        releaseFreeMemory();
}

Daemon::~Daemon()
{
    stop();
}

void Daemon::startAdmin(const BrokerSettings& settings)
{
    // The address with its certificate: a new key or certificate file
    // takes effect on reload like a new port.
    const std::string listen = settings.adminListen + "|" + settings.adminCert + "|" + settings.adminKey;
    if (listen == _adminListen && (_admin || settings.adminListen == "off"))
        return;
    _admin.reset();
    _adminListen = listen;
    if (settings.adminListen == "off")
        return;
    try
    {
        makePrivateDirectory(settings.stateDir);
        _admin = std::make_unique<AdminServer>(AdminListen{settings.adminListen, settings.adminCert, settings.adminKey},
                                               *this, AdminToken::create(settings.stateDir));
        // The file first: whoever sees the log line finds this URL there,
        // not a previous daemon's.
        writeFileAtomically(AdminClient::urlFile(settings), _admin->url() + "\n", FileAttributes{0600, "", ""}, false);
        _logger.notice("admin endpoint on %s", _admin->url());
    }
    catch (const std::exception& e)
    {
        // Tokens matter more than the status page: keep running without it.
        _logger.error("admin endpoint disabled: cannot listen on %s: %s", settings.adminListen, std::string(e.what()));
    }
}

bool Daemon::reload(std::string& errors)
{
    std::lock_guard<std::mutex> lock(_mutex);
    _logger.notice("reloading %s", _configPath);
    std::unique_ptr<LoadedConfig> next;
    try
    {
        next = load(_configPath, _stop);
    }
    catch (const ConfigErrors& e)
    {
        for (const auto& error : e.errors())
            _logger.error("%s", std::string(error.what()));
        _logger.error("reload failed; still running the previous configuration");
        errors = e.what();
        noteReload(false, errors);
        return false;
    }
    catch (const std::exception& e)
    {
        // Anything else, memory included: the running configuration is
        // untouched until the new one is whole.
        errors = _configPath + ": " + e.what();
        _logger.error("reload failed: %s; still running the previous configuration", errors);
        noteReload(false, errors);
        return false;
    }
    const BrokerSettings& settings = next->config().broker;
    if (settings.stateDir != _broker->config().broker.stateDir)
    {
        // The daemon's lock and every profile's state live there.
        errors = "broker.state_dir changed from " + _broker->config().broker.stateDir + " to " + settings.stateDir +
                 "; that takes a restart";
        _logger.error("reload refused: %s; still running the previous configuration", errors);
        noteReload(false, errors);
        return false;
    }
    _scheduler->setPolicy(settings.refresh);
    _deviceLoginAuto = settings.deviceLoginAuto;
    _scheduler->apply(next->profiles());
    // The old broker goes; profiles the scheduler kept hold their own
    // plugin and state references.
    _broker = std::move(next);
    startAdmin(settings);
    _logger.notice("reloaded: %z profiles", _broker->profiles().size());
    noteReload(true, "");
    return true;
}

std::vector<ProfileView> Daemon::profiles() const
{
    std::vector<ProfileView> views = _scheduler ? _scheduler->snapshot() : std::vector<ProfileView>{};
    for (auto& view : views)
        view.login = _logins.prompt(view.name);
    return views;
}

DaemonView Daemon::daemonView() const
{
    std::lock_guard<std::mutex> lock(_viewMutex);
    return _view;
}

void Daemon::noteReload(bool ok, const std::string& error)
{
    std::lock_guard<std::mutex> lock(_viewMutex);
    ++(ok ? _view.reloadsOk : _view.reloadsFailed);
    _view.lastReloadMs = Clock::system().nowMs();
    _view.lastReloadOk = ok;
    _view.lastReloadError = error;
}

bool Daemon::renewNow(const std::string& profile)
{
    return _scheduler && _scheduler->renewNow(profile);
}

bool Daemon::publishedToken(const std::string& name, std::optional<Token>& token) const
{
    const auto profile = _scheduler ? _scheduler->find(name) : nullptr;
    if (!profile)
        return false;
    token = profile->current();
    return true;
}

LoginStart Daemon::startLogin(const std::string& name)
{
    const auto profile = _scheduler ? _scheduler->find(name) : nullptr;
    if (!profile)
        return LoginStart::NoSuchProfile;
    // Only a device login can finish without this machine's browser.
    if (!profile->hasDeviceLogin())
        return LoginStart::NeedsTerminal;
    if (profile->status() != ProfileStatus::NeedsLogin)
        return LoginStart::NotNeeded;
    return startDeviceLogin(profile);
}

LoginStart Daemon::startDeviceLogin(const std::shared_ptr<Profile>& profile)
{
    // The scheduler outlives every login: stop() joins them first.
    Scheduler* scheduler = _scheduler.get();
    const bool started = _logins.start(profile, [scheduler](const std::shared_ptr<Profile>& done, const FlowResult& result) {
        scheduler->loggedIn(done, result);
    });
    return started ? LoginStart::Started : LoginStart::AlreadyRunning;
}

void Daemon::claimStateDirectory()
{
    const std::string& stateDir = _broker->config().broker.stateDir;
    makePrivateDirectory(stateDir);
    try
    {
        _instanceLock = std::make_unique<FileLock>(_broker->state().daemonLockPath(), std::chrono::milliseconds(0));
    }
    catch (const LockBusy&)
    {
        throw AlreadyRunning("another tokenbroker daemon is already running with state_dir " + stateDir +
                             " (it holds " + _broker->state().daemonLockPath() +
                             "); stop it first, or give this configuration its own broker.state_dir");
    }
}

std::size_t Daemon::stop()
{
    std::lock_guard<std::mutex> lock(_mutex);
    if (!_scheduler)
        return 0;
    _admin.reset();
    // Plugins sleeping through the host (device-code polling, backoff) wake
    // now; a renewal waiting for its on_rotate hook would otherwise hold
    // the shutdown for the hook's whole time-out, and the hook outlive us.
    _stop->raise();
    terminateRunningHooks();
    const auto grace = std::chrono::seconds(_broker->config().broker.stopTimeout);
    std::size_t running = _scheduler->stop(grace);
    if (running > 0)
    {
        _logger.warning("%z renewals still running after stop_timeout (%s); cancelling their requests", running,
                        formatDuration(_broker->config().broker.stopTimeout));
        HttpClient::cancelAll();
        running = _scheduler->stop(std::chrono::seconds(10));
    }
    // Logins only wait for a person: the stop signal ended their waits. A
    // poll request still in flight is cancelled (renewals, whose rotated
    // refresh tokens matter, have had their grace above).
    if (_logins.wait(std::chrono::seconds(2)) > 0)
        HttpClient::cancelAll();
    _logins.join();
    if (running == 0)
        _scheduler.reset();
    return running;
}

std::string Daemon::adminUrl() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _admin ? _admin->url() : std::string();
}

bool Daemon::firstPassDone() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return !_scheduler || _scheduler->firstPassDone();
}

std::chrono::seconds Daemon::stopBound() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    const std::int64_t configured = _broker ? _broker->config().broker.stopTimeout : 30;
    return std::chrono::seconds(configured + 10);
}

} // namespace TokenBroker
