#include "TokenBrokerApp.h"
#include "Duration.h"

#include "AtomicFile.h"

#include "AdminClient.h"
#include "AdminToken.h"
#include "AdminServer.h"
#include "BuildInfo.h"
#include "CredentialFormat.h"
#include "ConfigLoader.h"
#include "ConsoleLogin.h"
#include "DefaultPaths.h"
#include "Daemon.h"
#include "FileLock.h"
#include "FileOwner.h"
#include "JournalFormatter.h"
#include "JournalStream.h"
#include "JsonLineFormatter.h"
#include "RenewAll.h"
#include "ServiceProcess.h"
#include "Suggest.h"
#include "YamlConfiguration.h"

#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Timestamp.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionCallback.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionSet.h>

#ifdef _WIN32
#include "ServiceRegistration_win32.h"
#include "WindowsService_win32.h"
#include <Poco/EventLogChannel.h>
#else
#include "ServiceManagerStatus_posix.h"
#include "SignalLoop.h"
#include <Poco/SyslogChannel.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <utility>

namespace TokenBroker {

using Poco::Util::Option;
using Poco::Util::OptionCallback;

namespace {

const std::vector<std::string> kCommands = {"run", "check", "once", "token", "login", "status", "reload", "plugins"};

} // namespace

TokenBrokerApp::TokenBrokerApp()
{
    setUnixOptions(true);
}

int TokenBrokerApp::exitCode(int pocoCode)
{
    switch (pocoCode)
    {
    case Success:
    case TokenFailure:
    case UsageError:
        return pocoCode;
    case EXIT_USAGE:
    case EXIT_CONFIG:
    case EXIT_DATAERR:
    case EXIT_NOINPUT:
        return UsageError;
    default:
        return TokenFailure;
    }
}

void TokenBrokerApp::defineOptions(Poco::Util::OptionSet& options)
{
#ifdef _WIN32
    // Not ServerApplication's Windows options: its service code is replaced
    // (WindowsService_win32.h), and its names are defined below.
    Application::defineOptions(options);
    options.addOption(Option("registerService", "",
                             "/registerService: register (or update) the TokenBroker Windows service, "
                             "with -c FILE when given; needs an administrator")
                          .required(false)
                          .repeatable(false)
                          .callback(OptionCallback<TokenBrokerApp>(this, &TokenBrokerApp::handleServiceAction)));
    options.addOption(Option("unregisterService", "",
                             "/unregisterService: stop and remove the service (config and state stay)")
                          .required(false)
                          .repeatable(false)
                          .callback(OptionCallback<TokenBrokerApp>(this, &TokenBrokerApp::handleServiceAction)));
#else
    ServerApplication::defineOptions(options);
#endif
    options.addOption(Option("config", "c", "configuration file (default: $TOKENBROKER_CONFIG or " +
                                                ConfigLoader::defaultPath() + ")")
                          .required(false)
                          .repeatable(false)
                          .argument("FILE")
                          .callback(OptionCallback<TokenBrokerApp>(this, &TokenBrokerApp::handleConfig)));
    options.addOption(Option("help", "h", "show this help and exit")
                          .required(false)
                          .repeatable(false)
                          .callback(OptionCallback<TokenBrokerApp>(this, &TokenBrokerApp::handleHelp)));
    options.addOption(Option("version", "", "show the version and exit")
                          .required(false)
                          .repeatable(false)
                          .callback(OptionCallback<TokenBrokerApp>(this, &TokenBrokerApp::handleVersion)));
    options.addOption(Option("no-browser", "", "login: print the URL, do not open a browser")
                          .required(false)
                          .repeatable(false)
                          .callback(OptionCallback<TokenBrokerApp>(this, &TokenBrokerApp::handleNoBrowser)));
    options.addOption(Option("format", "", "token: raw (default), json, env or exec-credential")
                          .required(false)
                          .repeatable(false)
                          .argument("FORMAT")
                          .callback(OptionCallback<TokenBrokerApp>(this, &TokenBrokerApp::handleFormat)));
    options.addOption(Option("admin", "", "status, reload, token: the daemon's admin URL (default: from the "
                                          "configuration, else http://127.0.0.1:7469)")
                          .required(false)
                          .repeatable(false)
                          .argument("URL")
                          .callback(OptionCallback<TokenBrokerApp>(this, &TokenBrokerApp::handleAdmin)));
    options.addOption(Option("json", "", "status: the daemon's profile list as JSON")
                          .required(false)
                          .repeatable(false)
                          .callback(OptionCallback<TokenBrokerApp>(this, &TokenBrokerApp::handleJson)));
    options.addOption(Option("verbose", "v", "check: also show what each profile's plugin reports about it")
                          .required(false)
                          .repeatable(false)
                          .callback(OptionCallback<TokenBrokerApp>(this, &TokenBrokerApp::handleVerbose)));
}

void TokenBrokerApp::handleServiceAction(const std::string& name, const std::string&)
{
    if (!_serviceAction.empty() && _serviceAction != name)
        throw Poco::Util::IncompatibleOptionsException("/registerService and /unregisterService");
    _serviceAction = name;
}

void TokenBrokerApp::handleConfig(const std::string&, const std::string& value)
{
    // --daemon changes directory to / after option processing: make the
    // path absolute while the caller's working directory still applies.
    _configPath = Poco::Path(value).absolute().toString();
}

void TokenBrokerApp::handleHelp(const std::string&, const std::string&)
{
    _helpRequested = true;
    stopOptionsProcessing();
}

void TokenBrokerApp::handleVersion(const std::string&, const std::string&)
{
    _versionRequested = true;
}

void TokenBrokerApp::handleNoBrowser(const std::string&, const std::string&)
{
    _noBrowser = true;
}

void TokenBrokerApp::handleVerbose(const std::string&, const std::string&)
{
    _verbose = true;
}

void TokenBrokerApp::handleFormat(const std::string&, const std::string& value)
{
    _format = value;
}

void TokenBrokerApp::handleAdmin(const std::string&, const std::string& value)
{
    _adminUrl = value;
}

void TokenBrokerApp::handleJson(const std::string&, const std::string&)
{
    _json = true;
}

void TokenBrokerApp::initialize(Poco::Util::Application& self)
{
    // POCO sets this in ServiceMain, before init(): only a process the
    // Windows service control manager started has it. Outputs check it.
    setRunningAsService(config().getBool("application.runAsService", false));
    if (!_helpRequested && !_versionRequested)
    {
        try
        {
            // The core keys' errors wait in _config->errors: openBroker()
            // reports them with the flows' settings, in one pass.
            _config = ConfigLoader::parseFile(_configPath);
            if (!_config->errors.empty())
                _configError = ConfigErrors(_config->errors).what();
            else
                // Before the base initialize(): the LoggingSubsystem reads
                // logging.* from the same YAML file.
                config().add(new YamlConfiguration(_config->root), PRIO_APPLICATION);
        }
        catch (const ConfigErrors& e)
        {
            _configError = e.what();
        }
    }
    setUpLogging(config().getBool("application.runAsDaemon", false));
    ServerApplication::initialize(self);
}

void TokenBrokerApp::uninitialize()
{
    ServerApplication::uninitialize();
}

void TokenBrokerApp::setUpLogging(bool daemon)
{
    if (config().has("logging.loggers.root.channel") || config().has("logging.loggers.root.level"))
        return;
    Poco::AutoPtr<Poco::Channel> sink;
#ifdef _WIN32
    // A service has no console: its log is the Application event log
    // (source TokenBroker, registered by /registerService).
    daemon = config().getBool("application.runAsService", false);
    if (daemon)
        sink = new Poco::EventLogChannel("TokenBroker");
    else
#else
    if (daemon)
        sink = new Poco::SyslogChannel("tokenbroker", Poco::SyslogChannel::SYSLOG_PID, Poco::SyslogChannel::SYSLOG_DAEMON);
    else
#endif
        sink = new Poco::ConsoleChannel;
    // journald stamps and files each line itself: no time of ours, and the
    // severity as its "<N>" prefix (so `journalctl -p warning` works).
    const bool journal = !daemon && stderrIsJournal();
    Poco::AutoPtr<Poco::Formatter> formatter;
    if (_config && _config->logFormat == LogFormat::Json)
        formatter = new JsonLineFormatter;
    else
        formatter = new Poco::PatternFormatter(daemon || journal ? "%s: %t" : "%Y-%m-%dT%H:%M:%SZ %p %s: %t");
    if (journal)
        formatter = new JournalFormatter(formatter);
    Poco::AutoPtr<Poco::FormattingChannel> channel = new Poco::FormattingChannel(formatter, sink);
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::root().setLevel(Poco::Message::PRIO_INFORMATION);
    Poco::Logger::setChannel("", channel);
    Poco::Logger::setLevel("", Poco::Message::PRIO_INFORMATION);
}

int TokenBrokerApp::main(const std::vector<std::string>& args)
{
    if (_helpRequested)
    {
        Poco::Util::HelpFormatter help(options());
        help.setCommand("tokenbroker");
        help.setUsage("[COMMAND] [ARGS] [OPTIONS]");
        help.setHeader(
            "Keeps API tokens fresh for the programs on this machine.\n\n"
            "Commands:\n"
            "  run               the daemon, in the foreground unless --daemon (default)\n"
            "  check [-v]        validate the configuration and every profile's settings;\n"
            "                    --verbose also shows what each profile's plugin reports\n"
            "  once [PROFILE..]  obtain tokens for all or the named profiles, write outputs, exit\n"
            "  token PROFILE     print a valid access token on stdout (--format raw|json|env|\n"
            "                    exec-credential); asks the running daemon first\n"
            "  login PROFILE     first interactive login of a web, pkce or device profile\n"
            "  status            ask the running daemon for every profile's state (--json);\n"
            "                    --admin URL names the daemon when the configuration is unreadable\n"
            "  reload            make the running daemon re-read its configuration\n"
            "  plugins           list the loaded plugins and their flows\n\n"
#ifdef _WIN32
            "Windows service (as an administrator):\n"
            "  /registerService [-c FILE]  register or update the TokenBroker service\n"
            "  /unregisterService          stop and remove it; configuration and state stay\n\n"
#endif

            "Exit status: 0 success, 1 a token could not be obtained, 2 usage or configuration error.\n\n"
            "Options:");
        help.format(std::cout);
        return Success;
    }
    if (_versionRequested)
    {
        std::cout << "tokenbroker " << TOKENBROKER_VERSION << " (" << buildRevision() << ")\n";
        return Success;
    }
    if (!_serviceAction.empty())
    {
        if (!args.empty())
        {
            std::cerr << "tokenbroker /" << _serviceAction << ": unexpected argument '" << args.front() << "'\n";
            return UsageError;
        }
        return commandServiceAction();
    }
    const std::string command = args.empty() ? "run" : args[0];
    const std::vector<std::string> rest(args.empty() ? args.end() : args.begin() + 1, args.end());
    if (command == "run" && rest.empty())
        return commandRun();
    if (command == "check" && rest.empty())
        return commandCheck();
    if (command == "once")
        return commandOnce(rest);
    if (command == "token")
        return commandToken(rest);
    if (command == "login")
        return commandLogin(rest);
    if (command == "plugins" && rest.empty())
        return commandPlugins();
    if (command == "status" && rest.empty())
        return commandStatus();
    if (command == "reload" && rest.empty())
        return commandReload();
    if (std::find(kCommands.begin(), kCommands.end(), command) != kCommands.end())
        std::cerr << "tokenbroker " << command << ": unexpected argument '" << rest.front() << "'\n";
    else
        std::cerr << "tokenbroker: unknown command '" << command << "'" << didYouMean(command, kCommands)
                  << "; see tokenbroker --help\n";
    return UsageError;
}

void TokenBrokerApp::printRefusals(const PluginRegistry& registry) const
{
    for (const auto& refusal : registry.refusals())
        std::cerr << "warning: plugin not loaded: " << refusal.path << ": " << refusal.reason << "\n";
}

std::unique_ptr<LoadedConfig> TokenBrokerApp::openBroker()
{
    if (!_config)
    {
        poco_assert(_configError);  // else opened twice
        std::cerr << *_configError << "\n";
        return nullptr;
    }
    auto plugins = LoadedConfig::loadPlugins(_config->broker);
    try
    {
        // The command's only use of the parsed file: moved, not copied (a
        // copy of 10,000 profiles' specs was 25 MB of check's peak memory).
        return std::make_unique<LoadedConfig>(std::move(*std::exchange(_config, std::nullopt)), plugins);
    }
    catch (const ConfigErrors& e)
    {
        std::cerr << e.what() << "\n";
        return nullptr;
    }
}

std::shared_ptr<Profile> TokenBrokerApp::findProfile(const LoadedConfig& broker, const std::string& command,
                                                     const std::string& name) const
{
    if (auto profile = broker.find(name))
        return profile;
    std::vector<std::string> known;
    for (const auto& p : broker.profiles())
        known.push_back(p->name());
    std::cerr << "tokenbroker " << command << ": unknown profile '" << name << "'" << didYouMean(name, known) << "\n";
    return nullptr;
}

int TokenBrokerApp::commandCheck()
{
    auto broker = openBroker();
    if (!broker)
        return UsageError;
    printRefusals(broker->plugins());
    if (_verbose)
    {
        // The plugin's describe() facts: what the settings resolved to, so
        // an operator sees e.g. which client and endpoint a profile uses.
        for (const auto& profile : broker->profiles())
        {
            std::cout << profile->name() << " (flow " << profile->spec().flow << ")\n";
            const auto facts = descriptionFacts(profile->description());
            if (facts.empty())
                std::cout << "  (the plugin reports nothing)\n";
            for (const auto& [key, value] : facts)
                std::cout << "  " << key << ": " << value << "\n";
        }
    }
    std::cout << "ok: " << broker->profiles().size() << " profiles\n";
    return Success;
}

int TokenBrokerApp::commandPlugins()
{
    if (_configError && Poco::File(_configPath).exists())
    {
        std::cerr << *_configError << "\n";
        return UsageError;
    }
    BrokerSettings settings = _config ? _config->broker : BrokerSettings{};
    auto registry = LoadedConfig::loadPlugins(settings);
    for (const auto& plugin : registry->plugins())
    {
        std::cout << plugin->name() << " " << plugin->version() << "  " << plugin->path() << "\n";
        for (const auto& flow : plugin->flows())
            std::cout << "  flow " << flow.name << ": " << flow.summary << "\n";
    }
    printRefusals(*registry);
    return Success;
}

int TokenBrokerApp::commandOnce(const std::vector<std::string>& names)
{
    auto broker = openBroker();
    if (!broker)
        return UsageError;
    std::vector<std::shared_ptr<Profile>> selected;
    for (const auto& name : names)
    {
        auto profile = findProfile(*broker, "once", name);
        if (!profile)
            return UsageError;
        selected.push_back(profile);
    }
    if (names.empty())
        selected = broker->profiles();
    if (auto refusal = refuseForeignState(*broker, "once", names.empty() ? std::string() : names[0]))
        return *refusal;
    int rc = Success;
    // As many at once as the daemon renews; reported in the file's order.
    const std::vector<FlowResult> results = renewAll(selected, broker->config().broker.workers);
    for (std::size_t i = 0; i < selected.size(); ++i)
    {
        const auto& profile = selected[i];
        const FlowResult& result = results[i];
        if (result.ok())
        {
            std::cout << profile->name() << ": ok, "
                      << (result.token.expires() ? "expires " + formatUtcTime(result.token.expiresAt) : std::string("no expiry"))
                      << "; wrote " << profile->describeOutputs() << "\n";
        }
        else
        {
            std::cerr << profile->name() << ": failed: " << result.message << "\n";
            rc = TokenFailure;
        }
    }
    return rc;
}

int TokenBrokerApp::commandToken(const std::vector<std::string>& names)
{
    if (names.size() != 1)
    {
        std::cerr << "usage: tokenbroker token PROFILE [--format raw|json|env|exec-credential]\n";
        return UsageError;
    }
    const auto& formats = credentialFormats();
    if (std::find(formats.begin(), formats.end(), _format) == formats.end())
    {
        std::cerr << "tokenbroker token: unknown format '" << _format << "'" << didYouMean(_format, formats)
                  << "; one of raw, json, env, exec-credential\n";
        return UsageError;
    }
    // The running daemon first: it holds the token, and asking it changes
    // nothing on disk.
    if (auto answered = tokenFromDaemon(names[0]))
        return *answered;
    auto broker = openBroker();
    auto profile = broker ? findProfile(*broker, "token", names[0]) : nullptr;
    if (!profile)
        return UsageError;
    try
    {
        // Reading changes nothing: no lock, no state write, no output.
        const std::optional<Token> stored = profile->peekStoredToken();
        if (stored && usableForCaller(*stored, Clock::system().nowMs()))
        {
            std::cout << formatCredential(*stored, _format, profile->name());
            return Success;
        }
        if (FileLock::isHeld(broker->state().daemonLockPath()))
        {
            std::cerr << "tokenbroker token: a daemon holds " << broker->state().directory()
                      << " but its admin endpoint did not answer, and the stored token for '" << profile->name()
                      << "' is about to expire; see tokenbroker status\n";
            return TokenFailure;
        }
        if (auto refusal = refuseForeignState(*broker, "token", profile->name()))
            return *refusal;
    }
    catch (const StateUnreadable& e)
    {
        std::cerr << "tokenbroker token: " << e.what() << "\n";
        return TokenFailure;
    }
    FlowResult result = profile->renew();
    if (!result.ok())
    {
        std::cerr << profile->name() << ": " << result.message << "\n";
        return TokenFailure;
    }
    std::cout << formatCredential(result.token, _format, profile->name());
    return Success;
}

std::optional<int> TokenBrokerApp::refuseForeignState(const LoadedConfig& broker, const std::string& command,
                                                       const std::string& profile) const
{
    const std::string& stateDir = broker.state().directory();
    auto owner = foreignOwner(stateDir);
    if (!owner)
        return std::nullopt;
    std::cerr << "tokenbroker " << command << ": state_dir " << stateDir << " is " << *owner
              << "; files written now would be yours and the daemon could no longer read them. Run it as the "
                 "owner, e.g. sudo -u <owner> tokenbroker "
              << command << " " << profile << "\n";
    return TokenFailure;
}

int TokenBrokerApp::commandLogin(const std::vector<std::string>& names)
{
    if (names.size() != 1)
    {
        std::cerr << "usage: tokenbroker login PROFILE [--no-browser]\n";
        return UsageError;
    }
    auto broker = openBroker();
    auto profile = broker ? findProfile(*broker, "login", names[0]) : nullptr;
    if (!profile)
        return UsageError;
    if (auto refusal = refuseForeignState(*broker, "login", profile->name()))
        return *refusal;
    if (!profile->supportsLogin())
    {
        std::cerr << "tokenbroker login: profile '" << names[0] << "' uses flow '" << profile->spec().flow
                  << "', which needs no login\n";
        return UsageError;
    }
    std::cout << "Logging in profile '" << profile->name() << "' (flow " << profile->spec().flow << ")\n";
    ConsoleLogin console(std::cout, !_noBrowser);
    FlowResult result = profile->login(console);
    if (!result.ok())
    {
        std::cerr << profile->name() << ": login failed: " << result.message << "\n";
        return TokenFailure;
    }
    std::cout << "\nLogged in. The refresh token is stored in " << broker->config().broker.stateDir
              << "; wrote " << profile->describeOutputs() << ".\n"
              << (result.token.expires() ? "The access token expires " + formatUtcTime(result.token.expiresAt) + ".\n"
                                         : std::string())
;
    try
    {
        HttpResponse answer = AdminClient(broker->config().broker).post("/v1/profiles/" + profile->name() + "/refresh");
        if (answer.status == 202)
            std::cout << "The running daemon was told to use it now.\n";
        else
            std::cout << "The running daemon does not know profile '" << profile->name()
                      << "' yet; reload it (kill -HUP, or systemctl reload tokenbroker).\n";
    }
    catch (const AdminTokenUnreadable& e)
    {
        std::cout << "The running daemon was not told to use it now (" << e.what()
                  << "); it does at its next renewal, or after systemctl reload tokenbroker.\n";
    }
    catch (const TransportError&)
    {
        std::cout << "No daemon answered on the admin endpoint; a daemon started later uses the stored token.\n";
    }
    return Success;
}

void TokenBrokerApp::reportStartFailure(const std::string& message)
{
    std::cerr << message << "\n";
    if (!isInteractive())
        Poco::Logger::get("tokenbroker").critical("cannot start: %s", message);
}

int TokenBrokerApp::commandRun()
{
#ifndef _WIN32
    // Before the daemon's threads start: it edits the environment.
    SystemdNotify notify = SystemdNotify::fromEnvironment();
#endif
    std::unique_ptr<Daemon> daemon;
    try
    {
        // The configuration initialize() parsed: a large file is read once.
        daemon = std::make_unique<Daemon>(_configPath, std::exchange(_config, std::nullopt));
    }
    catch (const ConfigErrors& e)
    {
        reportStartFailure(e.what());
        return UsageError;
    }
    catch (const AlreadyRunning& e)
    {
        reportStartFailure("tokenbroker: " + std::string(e.what()));
        return TokenFailure;
    }
    catch (const WriteError& e)
    {
        // e.g. a state_dir another user made or can write.
        reportStartFailure("tokenbroker: cannot start: " + std::string(e.what()));
        return TokenFailure;
    }
    auto& logger = Poco::Logger::get("tokenbroker");
    auto reload = [&] {
        std::string errors;
        daemon->reload(errors);
    };
#ifdef _WIN32
    WindowsService* service = WindowsService::current();
    if (service)
        service->serve(*daemon, reload);
    else
        waitForTerminationRequest();
#else
    ServiceManagerStatus serviceManager(std::move(notify), *daemon);
    waitForSignals([&] {
        serviceManager.reloading();
        reload();
        serviceManager.reloaded();
    });
    serviceManager.stopping();
#endif
    logger.notice("stopping");
#ifdef _WIN32
    if (service)
        service->stopping(daemon->stopBound());
#endif
    const std::size_t stuck = daemon->stop();
    if (stuck > 0)
    {
        // Only a plugin stuck outside the host's services gets here: its
        // thread still uses the daemon, so the daemon is not destroyed
        // under it; the process exits normally all the same.
        logger.error("%z renewals did not end after their requests were cancelled; exiting without them", stuck);
        daemon.release();
    }
    logger.notice("stopped");
    return Success;
}

int TokenBrokerApp::commandServiceAction()
{
#ifdef _WIN32
    try
    {
        const bool registering = _serviceAction == "registerService";
        const RegistrationReport report =
            // The service sees neither -c nor $TOKENBROKER_CONFIG unless
            // its command line carries the path.
            registering ? TokenBroker::registerService(_configPath == platformDefaultConfigPath() ? "" : _configPath)
                        : TokenBroker::unregisterService();
        for (const auto& line : report.lines)
            std::cout << line << "\n";
        if (registering && _configError)
            std::cout << "warning: the service will not start until the configuration's errors are fixed:\n"
                      << *_configError << "\n";
        return Success;
    }
    catch (const std::exception& e)
    {
        std::cerr << "tokenbroker /" << _serviceAction << ": " << e.what() << "\n";
        return TokenFailure;
    }
#else
    std::cerr << "tokenbroker: /" << _serviceAction
              << " is for Windows; on Linux the package installs the systemd unit tokenbroker.service\n";
    return UsageError;
#endif
}

} // namespace TokenBroker
