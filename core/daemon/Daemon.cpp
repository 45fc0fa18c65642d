#include "Daemon.h"

#include "AdminClient.h"
#include "AtomicFile.h"
#include "FileSystem.h"
#include "ConfigLoader.h"
#include "HookProcess.h"

namespace TokenBroker {

namespace {

std::unique_ptr<LoadedConfig> openBroker(const std::string& path)
{
    Config config = ConfigLoader::loadFile(path);
    auto plugins = LoadedConfig::loadPlugins(config.broker);
    return std::make_unique<LoadedConfig>(std::move(config), plugins);
}

} // namespace

Daemon::Daemon(std::string configPath)
    : _configPath(std::move(configPath))
    , _logger(Poco::Logger::get("tokenbroker"))
{
    _broker = openBroker(_configPath);
    for (const auto& refusal : _broker->plugins().refusals())
        _logger.warning("plugin not loaded: %s: %s", refusal.path, refusal.reason);
    const BrokerSettings& settings = _broker->config().broker;
    _scheduler = std::make_unique<Scheduler>(settings.refresh, settings.workers);
    _scheduler->start(_broker->profiles());
    startAdmin(settings);
    _logger.notice("running with %z profiles from %s", _broker->profiles().size(), _configPath);
}

Daemon::~Daemon()
{
    stop();
}

void Daemon::startAdmin(const BrokerSettings& settings)
{
    if (settings.adminListen == _adminListen && (_admin || settings.adminListen == "off"))
        return;
    _admin.reset();
    _adminListen = settings.adminListen;
    if (_adminListen == "off")
        return;
    try
    {
        _admin = std::make_unique<AdminServer>(_adminListen, *this);
        _logger.notice("admin endpoint on %s", _admin->url());
        makePrivateDirectory(settings.stateDir);
        writeFileAtomically(AdminClient::urlFile(settings), _admin->url() + "\n", FileAttributes{0600, "", ""}, false);
    }
    catch (const std::exception& e)
    {
        // Tokens matter more than the status page: keep running without it.
        _logger.error("admin endpoint disabled: cannot listen on %s: %s", _adminListen, std::string(e.what()));
    }
}

bool Daemon::reload(std::string& errors)
{
    std::lock_guard<std::mutex> lock(_mutex);
    _logger.notice("reloading %s", _configPath);
    std::unique_ptr<LoadedConfig> next;
    try
    {
        next = openBroker(_configPath);
    }
    catch (const ConfigErrors& e)
    {
        for (const auto& error : e.errors())
            _logger.error("%s", std::string(error.what()));
        _logger.error("reload failed; still running the previous configuration");
        errors = e.what();
        return false;
    }
    const BrokerSettings& settings = next->config().broker;
    _scheduler->setPolicy(settings.refresh);
    _scheduler->apply(next->profiles());
    // The old broker goes; profiles the scheduler kept hold their own
    // plugin and state references.
    _broker = std::move(next);
    startAdmin(settings);
    _logger.notice("reloaded: %z profiles", _broker->profiles().size());
    return true;
}

std::vector<ProfileView> Daemon::profiles() const
{
    return _scheduler->snapshot();
}

bool Daemon::renewNow(const std::string& profile)
{
    return _scheduler->renewNow(profile);
}

std::size_t Daemon::stop()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _admin.reset();
    // A renewal waiting for its on_rotate hook would otherwise hold the
    // shutdown for the hook's whole time-out, and the hook outlive us.
    terminateRunningHooks();
    return _scheduler ? _scheduler->stop() : 0;
}

std::string Daemon::adminUrl() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _admin ? _admin->url() : std::string();
}

} // namespace TokenBroker
