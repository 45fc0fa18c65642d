#include "ConfigLoader.h"

#include "AtomicFile.h"
#include "ConfigTreeBuilder.h"
#include "DefaultPaths.h"
#include "FileSystem.h"
#include "OutputTargets.h"
#include "Sha256Digest.h"

#include "YamlDigest.h"
#include "YamlLimits.h"
#include "YamlReader.h"

#include <Poco/DigestEngine.h>
#include <Poco/Environment.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Path.h>

#include "Suggest.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <set>
#include <regex>
#include <sstream>

namespace TokenBroker {

const ProfileSpec* Config::findProfile(const std::string& name) const
{
    for (const auto& profile : profiles)
    {
        if (profile.name == name)
            return &profile;
    }
    return nullptr;
}

namespace {

const std::vector<std::string> kTopLevelKeys = {"broker", "defaults", "profiles", "logging"};
const std::vector<std::string> kBrokerKeys = {"state_dir", "plugin_dirs", "admin",       "refresh",
                                              "workers",   "stop_timeout", "device_login"};
const std::vector<std::string> kRefreshKeys = {"at", "min_backoff", "max_backoff"};
const std::vector<std::string> kAdminKeys = {"listen", "allow_remote", "cert", "key"};

bool asciiAlnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/// [A-Za-z0-9][A-Za-z0-9._-]{0,127}, without std::regex: it is checked for
/// every profile, and a regex match cost more than the rest of the name's
/// handling.
bool isProfileName(const std::string& name)
{
    if (name.empty() || name.size() > 128 || !asciiAlnum(name[0]))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return asciiAlnum(c) || c == '.' || c == '_' || c == '-'; });
}

/// [A-Za-z_][A-Za-z0-9_]*
bool isVariableName(const std::string& name)
{
    if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return asciiAlnum(c) || c == '_'; });
}

/// A listen host only this machine can reach.
bool loopbackHost(const std::string& host)
{
    if (host == "localhost" || host == "[::1]")
        return true;
    Poco::Net::IPAddress address;
    return Poco::Net::IPAddress::tryParse(host, address) && address.isLoopback();
}
/// Keys of a profile the core handles itself; everything else belongs to the flow.
const std::vector<std::string> kProfileCoreKeys = {
    "flow", "base_url", "www_base_url", "ca_file", "connect_timeout", "read_timeout", "request_timeout",
    "outputs", "on_rotate", "on_rotate_timeout", "on_remove"};
const std::vector<std::string> kFileOutputKeys = {"file", "format", "mode", "owner", "group", "name"};
const std::vector<std::string> kEnvOutputKeys = {"env", "path", "mode", "owner", "group", "scope", "user"};

/// Parses one YAML file into a Config, collecting every error.
class Parser
{
public:
    Parser(const std::string& displayName, const std::string& baseDirectory, Diagnostics& diagnostics)
        : _reader(displayName, diagnostics)
        , _baseDirectory(baseDirectory)
    {
    }

    Config parse(const ConfigNode& root)
    {
        Config config;
        config.root = withoutProfiles(root);
        config.broker.stateDir = ConfigLoader::defaultStateDir();
        if (root.isNull())
            return config;
        ConfigNode broker, defaults, profiles, logging;
        _reader.forEachKey(root, "the configuration", kTopLevelKeys,
                           [&](const std::string& key, const ConfigNode&, const ConfigNode& value) {
                               if (key == "broker")
                                   broker = value;
                               else if (key == "defaults")
                                   defaults = value;
                               else if (key == "profiles")
                                   profiles = value;
                               else if (key == "logging")
                                   logging = value;
                           });
        if (broker && !broker.isNull())
            parseBroker(broker, config.broker);
        if (logging && logging.isMap() && logging["format"])
            parseLogFormat(logging["format"], config.logFormat);

        ProfileSpec base;
        std::string defaultsDigest;
        if (defaults && !defaults.isNull())
        {
            const std::size_t errorsBefore = _reader.diagnostics().size();
            parseProfileKeys(defaults, "defaults", base, true);
            _defaultsHaveErrors = _reader.diagnostics().size() != errorsBefore;
            Sha256Digest sha256;
            digestYaml(defaults, sha256);
            defaultsDigest = Poco::DigestEngine::digestToHex(sha256.digest());
        }
        if (profiles && !profiles.isNull())
            parseProfiles(profiles, base, defaultsDigest, config);
        return config;
    }

private:
    /// The top level without `profiles` and `defaults`: what the POCO view
    /// needs (logging.*), not a second copy of every profile kept for the
    /// daemon's life. Copied, because a node keeps its whole document.
    static ConfigNode withoutProfiles(const ConfigNode& root)
    {
        return root.copyWithout({"profiles", "defaults"});
    }

    std::string path(const ConfigNode& node, const std::string& what)
    {
        auto text = _reader.string(node, what);
        if (!text)
            return {};
        if (text->empty())
        {
            _reader.error(node, what + " must not be empty");
            return {};
        }
        return ConfigLoader::resolvePath(*text, _baseDirectory);
    }

    /// The rest of `logging:` is POCO's LoggingConfigurator's to read.
    void parseLogFormat(const ConfigNode& node, LogFormat& format)
    {
        auto text = _reader.string(node, "logging.format");
        if (text && *text == "json")
            format = LogFormat::Json;
        else if (text && *text == "text")
            format = LogFormat::Text;
        else if (text)
            _reader.error(node, "logging.format must be 'text' or 'json'" + didYouMean(*text, {"text", "json"}));
    }

    void parseBroker(const ConfigNode& node, BrokerSettings& broker)
    {
        _reader.forEachKey(node, "broker", kBrokerKeys,
                           [&](const std::string& key, const ConfigNode&, const ConfigNode& value) {
                               if (key == "state_dir")
                                   broker.stateDir = path(value, "broker.state_dir");
                               else if (key == "plugin_dirs")
                                   parsePluginDirs(value, broker);
                               else if (key == "admin")
                                   parseAdmin(value, broker);
                               else if (key == "refresh")
                                   parseRefresh(value, broker.refresh);
                               else if (key == "workers")
                               {
                                   auto n = _reader.integer(value, "broker.workers");
                                   if (n && (*n < 1 || *n > 256))
                                       _reader.error(value, "broker.workers must be between 1 and 256");
                                   else if (n)
                                       broker.workers = static_cast<int>(*n);
                               }
                               else if (key == "stop_timeout")
                               {
                                   auto d = _reader.duration(value, "broker.stop_timeout");
                                   if (d && (*d < 1 || *d > 3600))
                                       _reader.error(value, "broker.stop_timeout must be between 1s and 1h");
                                   else if (d)
                                       broker.stopTimeout = *d;
                               }
                               else if (key == "device_login")
                               {
                                   auto mode = _reader.string(value, "broker.device_login");
                                   if (mode && *mode != "auto" && *mode != "manual")
                                       _reader.error(value, "broker.device_login must be 'manual' or 'auto'" +
                                                                didYouMean(*mode, {"manual", "auto"}));
                                   else if (mode)
                                       broker.deviceLoginAuto = *mode == "auto";
                               }
                           });
    }

    void parsePluginDirs(const ConfigNode& node, BrokerSettings& broker)
    {
        auto dirs = _reader.stringList(node, "broker.plugin_dirs", true);
        if (!dirs)
            return;
        for (const auto& dir : *dirs)
            broker.pluginDirs.push_back(ConfigLoader::resolvePath(dir, _baseDirectory));
    }

    void parseAdmin(const ConfigNode& node, BrokerSettings& broker)
    {
        if (node.isScalar())
        {
            if (node.scalar() == "off" || node.scalar() == "false")
                broker.adminListen = "off";
            else
                _reader.error(node, "broker.admin must be \"off\" or a mapping with 'listen'");
            return;
        }
        std::optional<ConfigNode> listenNode;
        _reader.forEachKey(node, "broker.admin", kAdminKeys,
                           [&](const std::string& key, const ConfigNode&, const ConfigNode& value) {
                               if (key == "allow_remote")
                               {
                                   if (auto allow = _reader.boolean(value, "broker.admin.allow_remote"))
                                       broker.adminAllowRemote = *allow;
                                   return;
                               }
                               if (key == "cert" || key == "key")
                               {
                                   (key == "cert" ? broker.adminCert : broker.adminKey) =
                                       path(value, "broker.admin." + key);
                                   return;
                               }
                               auto listen = _reader.string(value, "broker.admin.listen");
                               if (!listen)
                                   return;
                               static const std::regex hostPort(R"(^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$)");
                               std::smatch m;
                               if (*listen == "off")
                                   broker.adminListen = "off";
                               else if (std::regex_match(*listen, m, hostPort) && std::stoi(m[2]) <= 65535)
                               {
                                   broker.adminListen = *listen;
                                   if (!loopbackHost(m[1]))
                                       listenNode = value;
                               }
                               else
                                   _reader.error(value, "broker.admin.listen must be HOST:PORT (e.g. 127.0.0.1:7469) or \"off\"");
                           });
        // Other machines reach the endpoint only on purpose, and only over
        // TLS: the admin token must not cross a network in clear text.
        if (listenNode && !broker.adminAllowRemote)
            _reader.error(*listenNode, "broker.admin.listen " + broker.adminListen +
                                           " is reachable from other machines; set allow_remote: true (with cert "
                                           "and key, for TLS) to mean it, or listen on 127.0.0.1");
        if (broker.adminAllowRemote && (broker.adminCert.empty() || broker.adminKey.empty()))
            _reader.error(node, "broker.admin.allow_remote needs cert and key: the endpoint then serves HTTPS only");
        else if (broker.adminCert.empty() != broker.adminKey.empty())
            _reader.error(node, "broker.admin needs both cert and key for TLS, or neither");
    }

    void parseRefresh(const ConfigNode& node, RefreshPolicy& refresh)
    {
        // Only set when written: a default-constructed ConfigNode counts as
        // defined yet has no position, which would lose the error's location.
        std::optional<ConfigNode> minNode, maxNode;
        _reader.forEachKey(node, "broker.refresh", kRefreshKeys,
                           [&](const std::string& key, const ConfigNode&, const ConfigNode& value) {
                               if (key == "at")
                               {
                                   auto at = _reader.number(value, "broker.refresh.at");
                                   if (at && (*at <= 0.0 || *at >= 1.0))
                                       _reader.error(value, "broker.refresh.at must be a fraction between 0 and 1 (e.g. 0.8)");
                                   else if (at)
                                       refresh.at = *at;
                               }
                               else if (key == "min_backoff")
                               {
                                   minNode.emplace(value);
                                   if (auto d = _reader.duration(value, "broker.refresh.min_backoff"))
                                       refresh.minBackoff = *d;
                               }
                               else if (key == "max_backoff")
                               {
                                   maxNode.emplace(value);
                                   if (auto d = _reader.duration(value, "broker.refresh.max_backoff"))
                                       refresh.maxBackoff = *d;
                               }
                           });
        if (refresh.minBackoff < 1 && minNode)
            _reader.error(*minNode, "broker.refresh.min_backoff must be at least 1s");
        if (refresh.maxBackoff < refresh.minBackoff)
            _reader.error(maxNode ? *maxNode : *minNode, "broker.refresh.max_backoff must not be less than min_backoff");
    }

    std::int64_t timeout(const ConfigNode& value, const std::string& what, std::int64_t current)
    {
        auto d = _reader.duration(value, what);
        if (!d)
            return current;
        if (*d < 1 || *d > 3600)
        {
            _reader.error(value, what + " must be between 1s and 1h");
            return current;
        }
        return *d;
    }

    /// Applies the keys of one profile (or of `defaults`) onto `profile`.
    void parseProfileKeys(const ConfigNode& node, const std::string& what, ProfileSpec& profile, bool fromDefaults)
    {
        std::vector<std::string> all = kProfileCoreKeys;
        auto core = [&](const std::string& key, const ConfigNode&, const ConfigNode& value) {
            const std::string name = what + "." + key;
            if (key == "flow")
            {
                if (auto flow = _reader.string(value, name))
                {
                    profile.flow = *flow;
                    profile.flowLocation = _reader.locate(value);
                }
            }
            else if (key == "base_url" || key == "www_base_url")
            {
                auto url = _reader.string(value, name);
                static const std::regex httpUrl(R"(^https?://[^/\s?#]+(/[^\s?#]*)?$)");
                if (url && !std::regex_match(*url, httpUrl))
                    _reader.error(value, name + " must be an http:// or https:// URL without query, e.g. https://api.coze.cn");
                else if (url)
                {
                    std::string trimmed = *url;
                    while (trimmed.size() > 1 && trimmed.back() == '/')
                        trimmed.pop_back();
                    (key == "base_url" ? profile.baseUrl : profile.wwwBaseUrl) = trimmed;
                }
            }
            else if (key == "ca_file")
                profile.caFile = path(value, name);
            else if (key == "connect_timeout")
                profile.timeouts.connect = timeout(value, name, profile.timeouts.connect);
            else if (key == "read_timeout")
                profile.timeouts.read = timeout(value, name, profile.timeouts.read);
            else if (key == "request_timeout")
                profile.timeouts.total = timeout(value, name, profile.timeouts.total);
            else if (key == "outputs")
                parseOutputs(value, name, profile);
            else if (key == "on_rotate")
            {
                auto argv = _reader.stringList(value, name);
                if (argv && argv->empty())
                    _reader.error(value, name + " must name a program to run");
                else if (argv)
                {
                    profile.onRotate = *argv;
                    profile.onRotateLocation = _reader.locate(value.isSequence() ? value[0] : value);
                }
            }
            else if (key == "on_rotate_timeout")
                profile.onRotateTimeout = timeout(value, name, profile.onRotateTimeout);
            else if (key == "on_remove")
            {
                auto mode = _reader.string(value, name);
                if (mode && *mode != "leave" && *mode != "remove")
                    _reader.error(value, name + " must be 'leave' or 'remove'");
                else if (mode)
                    profile.onRemove = *mode;
            }
        };
        auto flowKey = [&](const std::string& key, const ConfigNode& keyNode, const ConfigNode& value) {
            // A profile's own value replaces the one `defaults` gave it.
            profile.settings.insert_or_assign(key, SettingEntry{value, _reader.locate(keyNode), _reader.locate(value),
                                                                fromDefaults});
        };
        _reader.forEachKey(node, what, all, core, flowKey);
    }

    std::optional<unsigned> fileMode(const ConfigNode& value, const std::string& what)
    {
        static const std::regex octal("^0?[0-7]{3,4}$");
        if (value.isScalar() && std::regex_match(value.scalar(), octal))
        {
            unsigned mode = static_cast<unsigned>(std::stoul(value.scalar(), nullptr, 8));
            char text[8];
            std::snprintf(text, sizeof text, "%04o", mode);
            if (mode & 07000)
            {
                _reader.error(value, what + " " + text + " has setuid, setgid or sticky bits, which a token file "
                                                         "must not have");
                return std::nullopt;
            }
            if (mode & 0002)
            {
                _reader.error(value, what + " " + text + " lets anyone on the machine change the token; drop the "
                                                         "write bit for others");
                return std::nullopt;
            }
            if (mode & 0004)
            {
                // Readers get a group: `group: NAME` with 0640.
                _reader.error(value, what + " " + text + " lets every user on the machine read the token; give its "
                                                         "readers a group (group: NAME) and use 0640");
                return std::nullopt;
            }
            return mode;
        }
        _reader.error(value, what + " must be an octal file mode such as \"0640\" (quote it in YAML)");
        return std::nullopt;
    }

    void parseOutputs(const ConfigNode& node, const std::string& what, ProfileSpec& profile)
    {
        if (!node.isSequence())
        {
            _reader.error(node, what + " must be a list of outputs ({file: PATH} or {env: NAME})");
            return;
        }
        profile.outputs.clear();
        for (const auto& item : node)
        {
            if (!item.isMap())
            {
                _reader.error(item, "each output must be a mapping with 'file' or 'env'");
                continue;
            }
            OutputSpec output;
            output.location = _reader.locate(item);
            const bool isFile = bool(item["file"]);
            const bool isEnv = bool(item["env"]);
            if (isFile == isEnv)
            {
                _reader.error(item, isFile ? "an output has either 'file' or 'env', not both"
                                           : "an output needs 'file: PATH' or 'env: NAME'");
                continue;
            }
            output.kind = isFile ? OutputSpec::Kind::File : OutputSpec::Kind::Env;
            const std::string kind = isFile ? "file output" : "env output";
            _reader.forEachKey(item, kind, isFile ? kFileOutputKeys : kEnvOutputKeys,
                               [&](const std::string& key, const ConfigNode&, const ConfigNode& value) {
                                   parseOutputKey(key, value, kind, output);
                               });
            if (output.kind == OutputSpec::Kind::File && output.format == "env" && output.variable.empty())
                output.variable = "COZE_API_TOKEN";
            if (!output.user.empty() && output.scope == "machine")
                _reader.diagnostics().error(output.userLocation,
                                            "'user' names whose environment gets the variable, so it needs scope: "
                                            "user (scope: machine writes the environment every user shares)");
            profile.outputs.push_back(output);
        }
    }

    void parseOutputKey(const std::string& key, const ConfigNode& value, const std::string& kind, OutputSpec& output)
    {
        if (key == "file")
            output.path = path(value, kind + " path");
        else if (key == "path")
            output.path = path(value, kind + " path");
        else if (key == "format")
        {
            auto format = _reader.string(value, "format");
            if (format && *format != "raw" && *format != "json" && *format != "env")
                _reader.error(value, "format must be raw, json or env" + didYouMeanFormat(*format));
            else if (format)
                output.format = *format;
        }
        else if (key == "env" || key == "name")
        {
            auto name = _reader.string(value, kind + " variable name");
            if (name && !isVariableName(*name))
                _reader.error(value, "'" + *name + "' is not a valid environment variable name");
            else if (name)
                output.variable = *name;
        }
        else if (key == "mode" && modeUnsupportedReason())
            _reader.error(value, *modeUnsupportedReason());
        else if (key == "mode")
            output.mode = fileMode(value, "mode");
        else if (key == "owner" || key == "group")
        {
            if (auto name = _reader.string(value, key))
            {
                (key == "owner" ? output.owner : output.group) = *name;
                (key == "owner" ? output.ownerLocation : output.groupLocation) = _reader.locate(value);
            }
        }
        else if (key == "scope")
        {
            auto scope = _reader.string(value, "scope");
            if (scope && *scope != "user" && *scope != "machine")
                _reader.error(value, "scope must be 'user' or 'machine'");
            else if (scope)
                output.scope = *scope;
        }
        else if (key == "user")
        {
            auto user = _reader.string(value, "user");
            if (user && user->empty())
                _reader.error(value, "user must name an account (a name or a SID such as S-1-5-21-...)");
            else if (user)
            {
                output.user = *user;
                output.userLocation = _reader.locate(value);
            }
        }
    }

    static std::string didYouMeanFormat(const std::string& format)
    {
        return didYouMean(format, {"raw", "json", "env"});
    }

    void parseProfiles(const ConfigNode& node, const ProfileSpec& base, const std::string& defaultsDigest, Config& config)
    {
        if (!node.isMap())
        {
            _reader.error(node, "profiles must be a mapping of profile names to settings");
            return;
        }
        if (node.size() > ConfigLoader::kMaxProfiles)
        {
            _reader.error(node, "there are " + std::to_string(node.size()) + " profiles; one configuration may have at most " +
                                    std::to_string(ConfigLoader::kMaxProfiles));
            return;
        }
        config.profiles.reserve(node.size());
        std::set<std::string> seen;
        for (auto it = node.begin(); it != node.end(); ++it)
        {
            const ConfigNode keyNode = it->first;
            const ConfigNode body = it->second;
            if (!keyNode.isScalar() || !isProfileName(keyNode.scalar()))
            {
                _reader.error(keyNode, "profile names use letters, digits, '.', '_' and '-' and start with a letter or digit");
                continue;
            }
            const std::string name = keyNode.scalar();
            if (!seen.insert(name).second)
            {
                _reader.error(keyNode, "duplicate profile '" + name + "'");
                continue;
            }
            ProfileSpec profile = base;
            profile.name = name;
            profile.location = _reader.locate(keyNode);
            profile.baseDirectory = _baseDirectory;
            if (!body.isMap())
            {
                _reader.error(body, "profile '" + name + "' must be a mapping of settings");
                continue;
            }
            const std::size_t errorsBefore = _reader.diagnostics().size();
            parseProfileKeys(body, "profile '" + name + "'", profile, false);
            if (profile.flow.empty())
                _reader.error(keyNode, "profile '" + name + "' has no 'flow' (e.g. flow: pat)");
            if (profile.outputs.empty())
                _reader.error(keyNode, "profile '" + name + "' has no 'outputs': nothing would receive its token");
            for (auto& output : profile.outputs)
            {
                if (output.kind == OutputSpec::Kind::Env && output.path.empty())
                    output.path = Poco::Path(Poco::Path(config.broker.stateDir).makeDirectory(), name + ".env").toString();
            }
            profile.fingerprint = fingerprint(defaultsDigest, body);
            profile.hasErrors = _defaultsHaveErrors || _reader.diagnostics().size() != errorsBefore;
            config.profiles.push_back(std::move(profile));
        }
    }

    /// A digest, not the text: every profile repeats `defaults`.
    static std::string fingerprint(const std::string& defaultsDigest, const ConfigNode& body)
    {
        Sha256Digest sha256;
        sha256.update(defaultsDigest);
        digestYaml(body, sha256);
        return Poco::DigestEngine::digestToHex(sha256.digest());
    }

    YamlReader _reader;
    std::string _baseDirectory;
    bool _defaultsHaveErrors = false;
};

} // namespace

Config ConfigLoader::loadFile(const std::string& path)
{
    Config config = parseFile(path);
    if (!config.errors.empty())
        throw ConfigErrors(config.errors);
    return config;
}

Config ConfigLoader::parseFile(const std::string& path)
{
    const std::string absolute = Poco::Path(path).absolute().toString();
    const YamlLimits limits;
    // readWholeFile, not std::ifstream: on Windows a narrow stream takes the
    // name in the ANSI code page and MAX_PATH, and the path may be neither.
    std::string text;
    auto refuse = [&](const std::string& message) {
        return ConfigErrors({ConfigError(SourceLocation{path, 0, 0}, message)});
    };
    try
    {
        text = readWholeFile(absolute, limits.fileBytes);
    }
    catch (const FileMissing&)
    {
        throw refuse("cannot open the configuration file: No such file or directory");
    }
    catch (const FileTooLarge&)
    {
        throw ConfigErrors({ConfigError(SourceLocation{path, 1, 1}, "the file is larger than " +
                                                                        describeBytes(limits.fileBytes) +
                                                                        ", the most a configuration may have")});
    }
    catch (const std::exception& e)
    {
        throw refuse(std::string("cannot open the configuration file: ") + e.what());
    }
    Config config = parseText(text, path, Poco::Path(absolute).parent().toString(), absolute);
    config.path = absolute;
    return config;
}

Config ConfigLoader::loadString(const std::string& text, const std::string& displayName,
                                const std::string& baseDirectory)
{
    Config config = parseString(text, displayName, baseDirectory);
    if (!config.errors.empty())
        throw ConfigErrors(config.errors);
    return config;
}

Config ConfigLoader::parseString(const std::string& text, const std::string& displayName,
                                 const std::string& baseDirectory)
{
    return parseText(text, displayName, baseDirectory, resolvePath(displayName, baseDirectory));
}

Config ConfigLoader::parseText(const std::string& text, const std::string& displayName,
                               const std::string& baseDirectory, const std::string& configFile)
{
    Diagnostics diagnostics;
    // One pass over the parser's events checks the bounds and builds the
    // tree; a syntax error or a crossed bound ends it with its file:line:col.
    ConfigTreeBuilder builder(text.size());
    if (!readYamlWithinLimits(text, displayName, diagnostics, &builder))
        diagnostics.throwIfAny();
    const ConfigNode root = builder.root();
    Parser parser(displayName, baseDirectory, diagnostics);
    Config config = parser.parse(root);
    config.errors = diagnostics.errors();
    checkOutputTargets(config, configFile);
    config.path = displayName;
    return config;
}

std::string ConfigLoader::defaultPath()
{
    if (Poco::Environment::has("TOKENBROKER_CONFIG") && !Poco::Environment::get("TOKENBROKER_CONFIG").empty())
        return Poco::Environment::get("TOKENBROKER_CONFIG");
    return platformDefaultConfigPath();
}

std::string ConfigLoader::defaultStateDir()
{
    return platformDefaultStateDir();
}

std::string ConfigLoader::resolvePath(const std::string& path, const std::string& baseDirectory)
{
    std::string expanded = path;
    if (expanded == "~" || expanded.rfind("~/", 0) == 0)
        expanded = Poco::Path::home() + expanded.substr(expanded.size() > 1 ? 2 : 1);
    Poco::Path p(expanded);
    if (p.isRelative())
        p.makeAbsolute(Poco::Path(baseDirectory).makeDirectory());
    return p.toString();
}

} // namespace TokenBroker
