#pragma once

#include "AdminClient.h"
#include "Config.h"
#include "LoadedConfig.h"
#include "HttpClient.h"

#include <Poco/Util/ServerApplication.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace TokenBroker {

/// The `tokenbroker` executable: a POCO ServerApplication whose first
/// positional argument selects the command (run, check, once, token,
/// plugins). Exit codes: 0 success, 1 a token could not be obtained,
/// 2 usage or configuration error.
class TokenBrokerApp : public Poco::Util::ServerApplication
{
public:
    enum ExitCode { Success = 0, TokenFailure = 1, UsageError = 2 };

    TokenBrokerApp();

    /// The config path to use when neither -c nor --config is given; set by
    /// main() while the working directory is still the caller's.
    void setDefaultConfigPath(const std::string& path) { _configPath = path; }

    /// Maps POCO's exit codes (EX_USAGE, EX_CONFIG, ...) onto 0/1/2.
    static int exitCode(int pocoCode);

protected:
    void initialize(Poco::Util::Application& self) override;
    void uninitialize() override;
    void defineOptions(Poco::Util::OptionSet& options) override;
    int main(const std::vector<std::string>& args) override;

private:
    void handleConfig(const std::string& name, const std::string& value);
    void handleHelp(const std::string& name, const std::string& value);
    void handleVersion(const std::string& name, const std::string& value);
    void handleNoBrowser(const std::string& name, const std::string& value);
    void handleVerbose(const std::string& name, const std::string& value);
    void handleFormat(const std::string& name, const std::string& value);
    void handleAdmin(const std::string& name, const std::string& value);
    void handleJson(const std::string& name, const std::string& value);
    void handleServiceAction(const std::string& name, const std::string& value);

    void setUpLogging(bool daemonDefault);
    /// Loads the config and plugins into a LoadedConfig; on failure prints every
    /// error and returns nothing. Takes the parsed configuration: once per
    /// command.
    std::unique_ptr<LoadedConfig> openBroker();
    void printRefusals(const PluginRegistry& registry) const;
    /// The named profile, or nothing after telling the user (with a suggestion).
    std::shared_ptr<Profile> findProfile(const LoadedConfig& broker, const std::string& command,
                                         const std::string& name) const;

    int commandRun();
    int commandCheck();
    int commandOnce(const std::vector<std::string>& names);
    int commandToken(const std::vector<std::string>& names);
    /// `token` from the running daemon: its published token, or (when that
    /// is about to expire) the one it renews on request. Nothing when no
    /// daemon answers; else the exit code after printing the token or why
    /// there is none.
    std::optional<int> tokenFromDaemon(const std::string& profile);
    /// A command that would write state_dir as another user than its owner
    /// is refused (with how to run it instead): returns its exit code.
    std::optional<int> refuseForeignState(const LoadedConfig& broker, const std::string& command,
                                          const std::string& profile) const;
    int commandPlugins();
    int commandLogin(const std::vector<std::string>& names);
    int commandStatus();
    int commandReload();
    /// The admin endpoint's answer to METHOD PATH, or the exit code after
    /// telling the user why there is none (no daemon, no admin token).
    std::variant<HttpResponse, int> askDaemon(const std::string& command, const std::string& method,
                                              const std::string& path) const;
    /// The running daemon's endpoint, found as AdminClient::locate() says.
    AdminClient daemonClient() const;
    /// /registerService, /unregisterService (Windows).
    int commandServiceAction();
    /// The run command's failure to start: on stderr, and in the log too
    /// when no console sees it (a service, a daemon).
    void reportStartFailure(const std::string& message);

    std::string _configPath;
    bool _helpRequested = false;
    bool _versionRequested = false;
    bool _noBrowser = false;
    bool _verbose = false;   ///< check: show each profile's plugin facts
    std::string _format = "raw";  ///< token --format
    std::string _adminUrl;        ///< --admin
    bool _json = false;           ///< status --json
    std::string _serviceAction;  ///< "registerService" or "unregisterService"
    std::optional<Config> _config;
    std::optional<std::string> _configError;
};

} // namespace TokenBroker
