#pragma once

#include "Diagnostics.h"
#include "HttpTimeouts.h"

#include "ConfigNode.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace TokenBroker {

/// When and how often tokens are renewed (broker.refresh).
struct RefreshPolicy
{
    double at = 0.8;                ///< fraction of the lifetime after which to renew
    std::int64_t minBackoff = 1;    ///< seconds
    std::int64_t maxBackoff = 300;  ///< seconds
};

/// The `broker:` section.
struct BrokerSettings
{
    std::string stateDir;
    std::vector<std::string> pluginDirs;   ///< empty = the built-in default
    std::string adminListen = "127.0.0.1:7469";  ///< "off" disables the endpoint
    /// broker.admin.allow_remote: a listen address that is not loopback is
    /// refused without it (and it needs adminCert/adminKey: TLS).
    bool adminAllowRemote = false;
    std::string adminCert;    ///< PEM certificate (chain) the endpoint serves HTTPS with; empty = HTTP
    std::string adminKey;     ///< its PEM private key
    RefreshPolicy refresh;
    int workers = 8;                       ///< concurrent refreshes in the daemon
    /// Seconds a stopping daemon lets renewals in flight finish (a rotated
    /// refresh token is then stored) before it cancels their requests; the
    /// systemd unit's TimeoutStopSec leaves room for it.
    std::int64_t stopTimeout = 30;
    /// broker.device_login: auto — the daemon starts a device-code login by
    /// itself for a device profile that needs one, and shows its code on the
    /// status page, in /v1/profiles and in the log (a headless service
    /// bootstrapped without a shell). manual (default): only on
    /// POST /v1/profiles/NAME/login.
    bool deviceLoginAuto = false;
};

/// One entry of a profile's `outputs:` list.
struct OutputSpec
{
    enum class Kind { File, Env };

    Kind kind = Kind::File;
    SourceLocation location;
    std::string path;                   ///< file: target; env: env-file (Unix)
    std::string format = "raw";         ///< raw | json | env (file outputs)
    std::string variable;               ///< env outputs, and file outputs in env format
    std::optional<unsigned> mode;       ///< file permission bits
    std::string owner;                  ///< user name or numeric id
    std::string group;                  ///< group name or numeric id
    SourceLocation ownerLocation;
    SourceLocation groupLocation;
    std::string scope = "user";         ///< env outputs on Windows: user | machine
    /// Env outputs on Windows with scope user: whose environment (an account
    /// name or a SID string); empty = the broker's own account (HKCU).
    std::string user;
    SourceLocation userLocation;
};

/// One plugin setting as written in YAML, kept with its position so the
/// plugin's schema can be checked later with file:line:col.
struct SettingEntry
{
    ConfigNode value;
    SourceLocation keyLocation;
    SourceLocation valueLocation;
    bool fromDefaults = false;
};

/// One entry of `profiles:` with `defaults:` merged in.
struct ProfileSpec
{
    std::string name;
    SourceLocation location;
    std::string flow;
    SourceLocation flowLocation;
    std::string baseUrl = "https://api.coze.cn";
    std::string wwwBaseUrl;             ///< empty = derived from baseUrl
    std::string caFile;
    HttpTimeouts timeouts;
    std::vector<OutputSpec> outputs;
    std::vector<std::string> onRotate;  ///< argv, no shell
    SourceLocation onRotateLocation;    ///< of its program, argv[0]
    std::int64_t onRotateTimeout = 30;
    std::string onRemove = "leave";     ///< leave | remove
    std::map<std::string, SettingEntry> settings;  ///< keys the core does not own
    std::string baseDirectory;          ///< for relative {file: ...} references

    /// A digest of everything above, for "did this profile change?".
    std::string fingerprint;
    /// The core keys had errors (listed in Config::errors): the profile is
    /// only checked against its flow's schema, never built.
    bool hasErrors = false;
};

/// How log lines are written where no `logging.loggers` section sends
/// them elsewhere: text, or one JSON object a line.
enum class LogFormat { Text, Json };

/// A whole configuration file.
struct Config
{
    std::string path;                   ///< absolute
    BrokerSettings broker;
    std::vector<ProfileSpec> profiles;
    ConfigNode root;                    ///< for the POCO configuration view (logging.*); no profiles or defaults
    LogFormat logFormat = LogFormat::Text;  ///< logging.format
    /// Errors in the core keys (ConfigLoader::parseFile); the flows' settings
    /// are checked once plugins are loaded, so that one pass reports both.
    std::vector<ConfigError> errors;

    const ProfileSpec* findProfile(const std::string& name) const;
};

} // namespace TokenBroker
