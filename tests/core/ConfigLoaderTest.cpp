#define BOOST_TEST_MODULE ConfigTest
#include <boost/test/unit_test.hpp>

#include "AtomicFile.h"
#include "ConfigLoader.h"
#include "TextMatch.h"
#include "TempDir.h"
#include "TestPlatform.h"

#include <Poco/File.h>
#include <Poco/Path.h>


#include <string>
#include <vector>

using namespace TokenBroker;
using TokenBroker::Test::contains;
using TokenBroker::Test::TempDir;
using TokenBroker::Test::writeFile;
using TokenBroker::Test::nativePath;

namespace {

/// Relative paths in loadString() texts resolve against this directory; it
/// need not exist because the loader only computes paths.
const std::string kBase = "/etc/tb";

Config load(const std::string& yaml)
{
    return ConfigLoader::loadString(yaml, "test.yaml", kBase);
}

/// Every "FILE:LINE:COL: error: message" the loader reports for `yaml`.
std::vector<std::string> errorsOf(const std::string& yaml)
{
    try
    {
        load(yaml);
    }
    catch (const ConfigErrors& e)
    {
        std::vector<std::string> lines;
        for (const auto& error : e.errors())
            lines.push_back(error.what());
        return lines;
    }
    BOOST_FAIL("the configuration was accepted but should be rejected:\n" + yaml);
    return {};
}

/// The single error reported for `yaml` (fails the test if there are more or none).
std::string onlyError(const std::string& yaml)
{
    auto errors = errorsOf(yaml);
    BOOST_TEST_REQUIRE(errors.size() == 1u, "expected exactly one error, got " << errors.size() << ":\n"
                                                                               << [&] {
                                                                                      std::string all;
                                                                                      for (auto& e : errors)
                                                                                          all += e + "\n";
                                                                                      return all;
                                                                                  }());
    return errors.front();
}

/// What the loader says of an output's `mode`: a bad value on POSIX; on
/// Windows, where a token file gets an ACL instead, any value.
std::string badModeError()
{
    return modeUnsupportedReason().value_or("mode must be an octal file mode such as \"0640\" (quote it in YAML)");
}

/// Line 24 of EveryKeyIsParsed's file: an output's `mode`, or on Windows
/// (where `mode` is refused) a comment, so every later line keeps its number.
const std::string kModeLine = modeUnsupportedReason() ? "        # no mode on Windows\n" : "        mode: \"0640\"\n";

/// A minimal valid profile body, so an error test isolates one problem.
const std::string kProfileHead = "profiles:\n"
                                 "  p:\n"
                                 "    flow: pat\n";

} // namespace

BOOST_AUTO_TEST_SUITE(ValidConfigurations)

BOOST_AUTO_TEST_CASE(EmptyFileGivesDefaults)
{
    Config config = load("");
    BOOST_TEST(config.broker.stateDir == ConfigLoader::defaultStateDir());
    BOOST_TEST(config.broker.adminListen == "127.0.0.1:7469");
    BOOST_TEST(config.broker.refresh.at == 0.8);
    BOOST_TEST(config.broker.refresh.minBackoff == 1);
    BOOST_TEST(config.broker.refresh.maxBackoff == 300);
    BOOST_TEST(config.broker.pluginDirs.empty());
    BOOST_TEST(config.profiles.empty());
    BOOST_TEST(config.path == "test.yaml");
}

BOOST_AUTO_TEST_CASE(EveryKeyIsParsed)
{
    const std::string yaml = "broker:\n"                                                     // 1
                             "  state_dir: state\n"                                          // 2
                             "  plugin_dirs: [plugins, /opt/tb/plugins]\n"                   // 3
                             "  admin: { listen: \"127.0.0.1:9000\" }\n"                     // 4
                             "  refresh: { at: 0.75, min_backoff: 2s, max_backoff: 10m }\n"  // 5
                             "  workers: 4\n"                                                // 6
                             "defaults:\n"                                                   // 7
                             "  base_url: https://api.coze.com/\n"                           // 8
                             "  ca_file: certs/ca.pem\n"                                     // 9
                             "  connect_timeout: 5s\n"                                       // 10
                             "  read_timeout: 20\n"                                          // 11
                             "  request_timeout: 1m\n"                                       // 12
                             "  client_id: shared-client\n"                                  // 13
                             "profiles:\n"                                                   // 14
                             "  chat-prod:\n"                                                // 15
                             "    flow: jwt\n"                                               // 16
                             "    client_id: \"1180\"\n"                                     // 17
                             "    private_key: { file: keys/chat.pem }\n"                    // 18
                             "    duration: 15m\n"                                           // 19
                             "    www_base_url: https://www.example.com\n"                   // 20
                             "    outputs:\n"                                                // 21
                             "      - file: out/chat.token\n"                                // 22
                             "        format: raw\n" +                                       // 23
                             kModeLine +                                                     // 24
                             "        owner: nobody\n"                                       // 25
                             "        group: nogroup\n"                                      // 26
                             "      - env: MY_TOKEN\n"                                       // 27
                             "        path: /run/tb/chat.env\n"                              // 28
                             "      - file: /run/tb/chat.json\n"                             // 29
                             "        format: json\n"                                        // 30
                             "      - file: chat.env\n"                                      // 31
                             "        format: env\n"                                         // 32
                             "      - file: named.env\n"                                     // 33
                             "        format: env\n"                                         // 34
                             "        name: OTHER_NAME\n"                                    // 35
                             "      - env: OTHER\n"                                          // 36
                             "        scope: machine\n"                                      // 37
                             "    on_rotate: [/usr/bin/systemctl, try-reload-or-restart, chatbot.service]\n"  // 38
                             "    on_rotate_timeout: 45s\n"                                  // 39
                             "    on_remove: remove\n"                                       // 40
                             "  laptop:\n"                                                   // 41
                             "    flow: device\n"                                            // 42
                             "    base_url: https://api.example.org\n"                       // 43
                             "    outputs: [ { file: ~/.config/coze/token, format: json } ]\n";  // 44
    Config config = load(yaml);

    const BrokerSettings& broker = config.broker;
    BOOST_TEST(broker.stateDir == nativePath("/etc/tb/state"));
    BOOST_TEST(broker.pluginDirs == (std::vector<std::string>{nativePath("/etc/tb/plugins"), nativePath("/opt/tb/plugins")}),
               boost::test_tools::per_element());
    BOOST_TEST(broker.adminListen == "127.0.0.1:9000");
    BOOST_TEST(broker.refresh.at == 0.75);
    BOOST_TEST(broker.refresh.minBackoff == 2);
    BOOST_TEST(broker.refresh.maxBackoff == 600);
    BOOST_TEST(broker.workers == 4);

    BOOST_TEST_REQUIRE(config.profiles.size() == 2u);
    const ProfileSpec& chat = config.profiles[0];
    BOOST_TEST(chat.name == "chat-prod");
    BOOST_TEST(chat.location.str() == "test.yaml:15:3");
    BOOST_TEST(chat.flow == "jwt");
    BOOST_TEST(chat.flowLocation.str() == "test.yaml:16:11");
    // A trailing slash would produce "//v1/..." when plugins append paths.
    BOOST_TEST(chat.baseUrl == "https://api.coze.com");
    BOOST_TEST(chat.wwwBaseUrl == "https://www.example.com");
    BOOST_TEST(chat.caFile == nativePath("/etc/tb/certs/ca.pem"));
    BOOST_TEST(chat.timeouts.connect == 5);
    BOOST_TEST(chat.timeouts.read == 20);
    BOOST_TEST(chat.timeouts.total == 60);
    BOOST_TEST(chat.onRotate == (std::vector<std::string>{"/usr/bin/systemctl", "try-reload-or-restart", "chatbot.service"}),
               boost::test_tools::per_element());
    BOOST_TEST(chat.onRotateTimeout == 45);
    BOOST_TEST(chat.onRemove == "remove");
    BOOST_TEST(chat.baseDirectory == kBase);

    BOOST_TEST_REQUIRE(chat.outputs.size() == 6u);
    const OutputSpec& raw = chat.outputs[0];
    BOOST_TEST((raw.kind == OutputSpec::Kind::File));
    BOOST_TEST(raw.location.str() == "test.yaml:22:9");
    BOOST_TEST(raw.path == nativePath("/etc/tb/out/chat.token"));
    BOOST_TEST(raw.format == "raw");
    if (modeUnsupportedReason())
        BOOST_TEST(!raw.mode.has_value());
    else
    {
        BOOST_TEST_REQUIRE(raw.mode.has_value());
        BOOST_TEST(*raw.mode == 0640u);
    }
    BOOST_TEST(raw.owner == "nobody");
    BOOST_TEST(raw.group == "nogroup");

    const OutputSpec& env = chat.outputs[1];
    BOOST_TEST((env.kind == OutputSpec::Kind::Env));
    BOOST_TEST(env.variable == "MY_TOKEN");
    BOOST_TEST(env.path == nativePath("/run/tb/chat.env"));
    BOOST_TEST(env.scope == "user");
    BOOST_TEST(!env.mode.has_value());

    BOOST_TEST(chat.outputs[2].format == "json");
    BOOST_TEST(chat.outputs[2].path == nativePath("/run/tb/chat.json"));

    // A file in env format without a name gets the conventional variable.
    BOOST_TEST(chat.outputs[3].format == "env");
    BOOST_TEST(chat.outputs[3].variable == "COZE_API_TOKEN");
    BOOST_TEST(chat.outputs[3].path == nativePath("/etc/tb/chat.env"));
    BOOST_TEST(chat.outputs[4].variable == "OTHER_NAME");

    // An env output without a path writes <state_dir>/<profile>.env.
    BOOST_TEST((chat.outputs[5].kind == OutputSpec::Kind::Env));
    BOOST_TEST(chat.outputs[5].variable == "OTHER");
    BOOST_TEST(chat.outputs[5].scope == "machine");
    BOOST_TEST(chat.outputs[5].path == nativePath("/etc/tb/state/chat-prod.env"));

    // Keys the core does not own are kept, with positions, for the plugin.
    BOOST_TEST(chat.settings.size() == 3u);
    BOOST_TEST_REQUIRE(chat.settings.count("client_id") == 1u);
    BOOST_TEST(chat.settings.at("client_id").value.scalar() == "1180");
    BOOST_TEST(!chat.settings.at("client_id").fromDefaults);
    BOOST_TEST(chat.settings.at("client_id").keyLocation.str() == "test.yaml:17:5");
    BOOST_TEST(chat.settings.at("client_id").valueLocation.str() == "test.yaml:17:16");
    BOOST_TEST_REQUIRE(chat.settings.count("private_key") == 1u);
    BOOST_TEST(chat.settings.at("private_key").value.isMap());
    BOOST_TEST(chat.settings.at("private_key").value["file"].scalar() == "keys/chat.pem");
    BOOST_TEST_REQUIRE(chat.settings.count("duration") == 1u);
    BOOST_TEST(chat.settings.at("duration").value.scalar() == "15m");
    BOOST_TEST(chat.settings.at("duration").keyLocation.str() == "test.yaml:19:5");

    const ProfileSpec& laptop = config.profiles[1];
    BOOST_TEST(laptop.name == "laptop");
    BOOST_TEST(laptop.flow == "device");
    BOOST_TEST(laptop.baseUrl == "https://api.example.org");   // profile wins over defaults
    BOOST_TEST(laptop.wwwBaseUrl.empty());
    BOOST_TEST(laptop.caFile == nativePath("/etc/tb/certs/ca.pem"));       // inherited from defaults
    BOOST_TEST(laptop.timeouts.connect == 5);
    BOOST_TEST(laptop.onRemove == "leave");
    BOOST_TEST(laptop.onRotate.empty());
    BOOST_TEST_REQUIRE(laptop.settings.count("client_id") == 1u);
    BOOST_TEST(laptop.settings.at("client_id").value.scalar() == "shared-client");
    BOOST_TEST(laptop.settings.at("client_id").fromDefaults);
    BOOST_TEST(laptop.settings.at("client_id").keyLocation.str() == "test.yaml:13:3");
    BOOST_TEST_REQUIRE(laptop.outputs.size() == 1u);
    BOOST_TEST(laptop.outputs[0].format == "json");
    BOOST_TEST(laptop.outputs[0].path == nativePath(Poco::Path::home() + ".config/coze/token"));
    BOOST_TEST(Poco::Path(laptop.outputs[0].path).isAbsolute());

    BOOST_TEST(config.findProfile("laptop") == &config.profiles[1]);
    BOOST_TEST(config.findProfile("nope") == nullptr);
}

BOOST_AUTO_TEST_CASE(DurationsInEveryNotation)
{
    const std::vector<std::pair<std::string, std::int64_t>> cases = {
        {"900", 900}, {"90s", 90}, {"15m", 900}, {"1h", 3600}, {"1d", 86400}, {"1h30m", 5400}, {"2d12h", 216000}};
    for (const auto& [text, seconds] : cases)
    {
        Config config = load("broker:\n  refresh:\n    min_backoff: 1\n    max_backoff: " + text + "\n");
        BOOST_TEST(config.broker.refresh.maxBackoff == seconds, "max_backoff: " << text);
    }
}

BOOST_AUTO_TEST_CASE(TimeoutsAcceptDurations)
{
    Config config = load(kProfileHead +
                         "    connect_timeout: 90s\n"
                         "    read_timeout: 2m\n"
                         "    request_timeout: 1h\n"
                         "    outputs: [ { file: t } ]\n");
    BOOST_TEST(config.profiles.at(0).timeouts.connect == 90);
    BOOST_TEST(config.profiles.at(0).timeouts.read == 120);
    BOOST_TEST(config.profiles.at(0).timeouts.total == 3600);
}

BOOST_AUTO_TEST_CASE(RelativePathsResolveAgainstTheBaseDirectory)
{
    Config config = load("broker:\n"
                         "  state_dir: ../var/state\n"
                         "  plugin_dirs: extra\n" +
                         kProfileHead + "    outputs: [ { file: tokens/p.token } ]\n");
    BOOST_TEST(config.broker.stateDir == nativePath("/etc/var/state"));
    BOOST_TEST(config.broker.pluginDirs == (std::vector<std::string>{nativePath("/etc/tb/extra")}), boost::test_tools::per_element());
    BOOST_TEST(config.profiles.at(0).outputs.at(0).path == nativePath("/etc/tb/tokens/p.token"));
}

BOOST_AUTO_TEST_CASE(TildeExpandsToTheHomeDirectory)
{
    Config config = load("broker:\n  state_dir: ~/state\n" + kProfileHead +
                         "    outputs: [ { file: ~/tok } ]\n");
    const std::string home = Poco::Path(Poco::Path::home()).toString();
    BOOST_TEST(config.broker.stateDir == home + "state");
    BOOST_TEST(config.profiles.at(0).outputs.at(0).path == home + "tok");
    BOOST_TEST(!contains(config.profiles.at(0).outputs.at(0).path, "~"));
}

BOOST_AUTO_TEST_CASE(LoadFileResolvesAgainstTheFilesDirectory)
{
    TempDir dir;
    Poco::File(dir.file("etc")).createDirectory();
    const std::string path = dir.file("etc/tokenbroker.yaml");
    writeFile(path, "broker:\n  state_dir: state\n" + kProfileHead + "    outputs: [ { file: ../run/p.token } ]\n");
    Config config = ConfigLoader::loadFile(path);
    BOOST_TEST(config.path == path);
    BOOST_TEST(config.broker.stateDir == dir.file("etc/state"));
    BOOST_TEST(config.profiles.at(0).outputs.at(0).path == dir.file("run/p.token"));
    BOOST_TEST(config.profiles.at(0).baseDirectory == nativePath(dir.path() + "/etc/"));
    BOOST_TEST(config.profiles.at(0).location.file == path);
}

BOOST_AUTO_TEST_CASE(DefaultsMergeUnderProfiles)
{
    Config config = load("defaults:\n"
                         "  flow: pat\n"
                         "  base_url: https://api.coze.com\n"
                         "  on_remove: remove\n"
                         "  outputs: [ { env: SHARED_TOKEN } ]\n"
                         "  verify: true\n"
                         "profiles:\n"
                         "  a: {}\n"
                         "  b:\n"
                         "    flow: jwt\n"
                         "    on_remove: leave\n"
                         "    verify: false\n"
                         "    outputs: [ { file: b.token } ]\n"
                         "broker:\n"
                         "  state_dir: /srv/state\n");
    BOOST_TEST_REQUIRE(config.profiles.size() == 2u);
    const ProfileSpec& a = config.profiles[0];
    BOOST_TEST(a.flow == "pat");
    BOOST_TEST(a.baseUrl == "https://api.coze.com");
    BOOST_TEST(a.onRemove == "remove");
    BOOST_TEST_REQUIRE(a.outputs.size() == 1u);
    // The default output path uses the profile's own name and the
    // broker.state_dir, even though `broker` comes last in the file.
    BOOST_TEST(a.outputs[0].path == nativePath("/srv/state/a.env"));
    BOOST_TEST(a.outputs[0].variable == "SHARED_TOKEN");
    BOOST_TEST(a.settings.at("verify").value.scalar() == "true");
    BOOST_TEST(a.settings.at("verify").fromDefaults);

    const ProfileSpec& b = config.profiles[1];
    BOOST_TEST(b.flow == "jwt");
    BOOST_TEST(b.baseUrl == "https://api.coze.com");
    BOOST_TEST(b.onRemove == "leave");
    // A profile's outputs replace the default list rather than adding to it.
    BOOST_TEST_REQUIRE(b.outputs.size() == 1u);
    BOOST_TEST((b.outputs[0].kind == OutputSpec::Kind::File));
    BOOST_TEST(b.outputs[0].path == nativePath("/etc/tb/b.token"));
    BOOST_TEST(b.settings.at("verify").value.scalar() == "false");
    BOOST_TEST(!b.settings.at("verify").fromDefaults);
}

BOOST_AUTO_TEST_CASE(AdminCanBeTurnedOff)
{
    BOOST_TEST(load("broker:\n  admin: off\n").broker.adminListen == "off");
    BOOST_TEST(load("broker:\n  admin: { listen: \"off\" }\n").broker.adminListen == "off");
    BOOST_TEST(load("broker:\n  admin: { listen: \"[::1]:8080\" }\n").broker.adminListen == "[::1]:8080");
    BOOST_TEST(load("broker:\n  admin: { listen: \"localhost:65535\" }\n").broker.adminListen == "localhost:65535");
}

BOOST_AUTO_TEST_CASE(LoggingSectionIsAccepted)
{
    Config config = load("logging:\n  loggers:\n    root:\n      level: debug\n");
    BOOST_TEST(config.root["logging"]["loggers"]["root"]["level"].scalar() == "debug");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ConfigurationErrors)

BOOST_AUTO_TEST_CASE(YamlSyntaxError)
{
    const std::string error = onlyError("broker:\n"
                                        "  state_dir: /x\n"
                                        "  admin: { listen: \"a:1\"\n"
                                        "profiles: {}\n");
    // yaml-cpp (0.7) words the message and notices the missing '}' where
    // the next line starts.
    BOOST_TEST(error == "test.yaml:4:1: error: end of map flow not found");

    const std::string mapValue = onlyError("broker:\n  state_dir: a: b\n");
    BOOST_TEST(mapValue == "test.yaml:2:15: error: illegal map value");
}

BOOST_AUTO_TEST_CASE(UnknownTopLevelKeyWithSuggestion)
{
    BOOST_TEST(onlyError("# comment\n\nbrokr:\n  state_dir: /x\n") ==
               "test.yaml:3:1: error: unknown key 'brokr' in the configuration (did you mean 'broker'?)");
    BOOST_TEST(onlyError("profils: {}\n") ==
               "test.yaml:1:1: error: unknown key 'profils' in the configuration (did you mean 'profiles'?)");
    // Nothing close: no suggestion at all.
    BOOST_TEST(onlyError("plugins: []\n") == "test.yaml:1:1: error: unknown key 'plugins' in the configuration");
}

BOOST_AUTO_TEST_CASE(TopLevelMustBeAMapping)
{
    BOOST_TEST(onlyError("- a\n- b\n") ==
               "test.yaml:1:1: error: the configuration must be a mapping of keys to values, not a list");
}

BOOST_AUTO_TEST_CASE(UnknownBrokerKey)
{
    BOOST_TEST(onlyError("broker:\n  stat_dir: /x\n") ==
               "test.yaml:2:3: error: unknown key 'stat_dir' in broker (did you mean 'state_dir'?)");
    BOOST_TEST(onlyError("broker:\n  refresh: { at: 0.5, max_backof: 1m }\n") ==
               "test.yaml:2:23: error: unknown key 'max_backof' in broker.refresh (did you mean 'max_backoff'?)");
    BOOST_TEST(onlyError("broker:\n  admin: { lisen: \"127.0.0.1:1\" }\n") ==
               "test.yaml:2:12: error: unknown key 'lisen' in broker.admin (did you mean 'listen'?)");
}

BOOST_AUTO_TEST_CASE(UnknownOutputKey)
{
    BOOST_TEST(onlyError(kProfileHead +
                         "    outputs:\n"
                         "      - file: /x\n"
                         "        fromat: raw\n") ==
               "test.yaml:6:9: error: unknown key 'fromat' in file output (did you mean 'format'?)");
    BOOST_TEST(onlyError(kProfileHead +
                         "    outputs:\n"
                         "      - env: TOKEN\n"
                         "        pth: /y\n") ==
               "test.yaml:6:9: error: unknown key 'pth' in env output (did you mean 'path'?)");
    // 'scope' belongs to env outputs only.
    BOOST_TEST(onlyError(kProfileHead + "    outputs: [ { file: /x, scope: user } ]\n") ==
               "test.yaml:4:28: error: unknown key 'scope' in file output");
}

BOOST_AUTO_TEST_CASE(BadDuration)
{
    const std::string suffix =
        " must be a duration: seconds, or a number with s, m, h or d (e.g. 90s, 15m, 1h)";
    BOOST_TEST(onlyError("broker:\n  refresh:\n    min_backoff: 10x\n") ==
               "test.yaml:3:18: error: broker.refresh.min_backoff" + suffix);
    for (const std::string bad : {"-5", "1.5h", "1h30", "h", "\"\"", "5 m", "1H"})
    {
        BOOST_TEST(onlyError("broker:\n  refresh: { max_backoff: " + bad + " }\n") ==
                       "test.yaml:2:27: error: broker.refresh.max_backoff" + suffix,
                   "max_backoff: " << bad);
    }
    BOOST_TEST(onlyError(kProfileHead + "    connect_timeout: soon\n    outputs: [ { file: x } ]\n") ==
               "test.yaml:4:22: error: profile 'p'.connect_timeout" + suffix);
    BOOST_TEST(onlyError(kProfileHead + "    read_timeout: 1d\n    outputs: [ { file: x } ]\n") ==
               "test.yaml:4:19: error: profile 'p'.read_timeout must be between 1s and 1h");
    BOOST_TEST(onlyError("defaults:\n  request_timeout: 0\n") ==
               "test.yaml:2:20: error: defaults.request_timeout must be between 1s and 1h");
}

BOOST_AUTO_TEST_CASE(BadRefreshAt)
{
    const std::string range = "broker.refresh.at must be a fraction between 0 and 1 (e.g. 0.8)";
    BOOST_TEST(onlyError("broker:\n  refresh:\n    at: 1.5\n") == "test.yaml:3:9: error: " + range);
    BOOST_TEST(onlyError("broker:\n  refresh:\n    at: 0\n") == "test.yaml:3:9: error: " + range);
    BOOST_TEST(onlyError("broker:\n  refresh:\n    at: 1\n") == "test.yaml:3:9: error: " + range);
    BOOST_TEST(onlyError("broker:\n  refresh:\n    at: soon\n") ==
               "test.yaml:3:9: error: broker.refresh.at must be a number");
}

BOOST_AUTO_TEST_CASE(MinBackoffAboveMaxBackoff)
{
    BOOST_TEST(onlyError("broker:\n"
                         "  refresh:\n"
                         "    min_backoff: 10m\n"
                         "    max_backoff: 1m\n") ==
               "test.yaml:4:18: error: broker.refresh.max_backoff must not be less than min_backoff");
    // Against the default max_backoff (5m) the error points at min_backoff,
    // the only key the operator wrote.
    BOOST_TEST(onlyError("broker:\n  refresh:\n    min_backoff: 10m\n") ==
               "test.yaml:3:18: error: broker.refresh.max_backoff must not be less than min_backoff");
    BOOST_TEST(onlyError("broker:\n  refresh:\n    min_backoff: 0\n") ==
               "test.yaml:3:18: error: broker.refresh.min_backoff must be at least 1s");
}

BOOST_AUTO_TEST_CASE(BadAdminListen)
{
    const std::string message = "broker.admin.listen must be HOST:PORT (e.g. 127.0.0.1:7469) or \"off\"";
    for (const std::string bad : {"localhost", "127.0.0.1:", "127.0.0.1:99999", ":80", "127.0.0.1:80/x", "host:port"})
    {
        BOOST_TEST(onlyError("broker:\n  admin:\n    listen: \"" + bad + "\"\n") == "test.yaml:3:13: error: " + message,
                   "listen: " << bad);
    }
    BOOST_TEST(onlyError("broker:\n  admin: on\n") ==
               "test.yaml:2:10: error: broker.admin must be \"off\" or a mapping with 'listen'");
    BOOST_TEST(onlyError("broker:\n  workers: 0\n") == "test.yaml:2:12: error: broker.workers must be between 1 and 256");
}

BOOST_AUTO_TEST_CASE(BadMode)
{
    const std::string message = badModeError();
    for (const std::string bad : {"\"0999\"", "rw-r-----", "\"12\"", "\"064000\"", "[1]"})
    {
        BOOST_TEST(onlyError(kProfileHead +
                             "    outputs:\n"
                             "      - file: /x\n"
                             "        mode: " + bad + "\n") == "test.yaml:6:15: error: " + message,
                   "mode: " << bad);
    }
}

BOOST_AUTO_TEST_CASE(BadFormatWithSuggestion)
{
    BOOST_TEST(onlyError(kProfileHead +
                         "    outputs:\n"
                         "      - file: /x\n"
                         "        format: jsn\n") ==
               "test.yaml:6:17: error: format must be raw, json or env (did you mean 'json'?)");
    BOOST_TEST(onlyError(kProfileHead + "    outputs: [ { file: /x, format: row } ]\n") ==
               "test.yaml:4:36: error: format must be raw, json or env (did you mean 'raw'?)");
    BOOST_TEST(onlyError(kProfileHead + "    outputs: [ { file: /x, format: yaml } ]\n") ==
               "test.yaml:4:36: error: format must be raw, json or env");
}

BOOST_AUTO_TEST_CASE(OutputNeedsExactlyOneOfFileAndEnv)
{
    // Each broken entry comes with a good one, so exactly one error is expected.
    BOOST_TEST(onlyError(kProfileHead +
                         "    outputs:\n"
                         "      - { file: /x, env: TOKEN }\n"
                         "      - file: /ok\n") ==
               "test.yaml:5:9: error: an output has either 'file' or 'env', not both");
    BOOST_TEST(onlyError(kProfileHead +
                         "    outputs:\n"
                         "      - file: /ok\n"
                         "      - format: raw\n"
                         "        name: TOKEN\n") ==
               "test.yaml:6:9: error: an output needs 'file: PATH' or 'env: NAME'");
    BOOST_TEST(onlyError(kProfileHead + "    outputs:\n      - /run/token\n      - env: T\n") ==
               "test.yaml:5:9: error: each output must be a mapping with 'file' or 'env'");
    // Not a list at all: the profile is also left without outputs.
    BOOST_TEST(errorsOf(kProfileHead + "    outputs: /run/token\n") ==
                   (std::vector<std::string>{
                       "test.yaml:4:14: error: profile 'p'.outputs must be a list of outputs ({file: PATH} or {env: NAME})",
                       "test.yaml:2:3: error: profile 'p' has no 'outputs': nothing would receive its token"}),
               boost::test_tools::per_element());
    BOOST_TEST(onlyError(kProfileHead + "    outputs: [ { env: 1BAD } ]\n") ==
               "test.yaml:4:23: error: '1BAD' is not a valid environment variable name");
    BOOST_TEST(onlyError(kProfileHead + "    outputs: [ { env: T, scope: global } ]\n") ==
               "test.yaml:4:33: error: scope must be 'user' or 'machine'");
    // 'user' (Windows) names whose environment: only with scope user.
    BOOST_TEST(onlyError(kProfileHead + "    outputs: [ { env: T, scope: machine, user: bob } ]\n") ==
               "test.yaml:4:48: error: 'user' names whose environment gets the variable, so it needs scope: user "
               "(scope: machine writes the environment every user shares)");
    BOOST_TEST(onlyError(kProfileHead + "    outputs: [ { env: T, user: \"\" } ]\n") ==
               "test.yaml:4:32: error: user must name an account (a name or a SID such as S-1-5-21-...)");
    const Config config = load(kProfileHead + "    outputs: [ { env: T, user: alice } ]\n");
    BOOST_TEST(config.profiles.at(0).outputs.at(0).user == "alice");
    BOOST_TEST(config.profiles.at(0).outputs.at(0).userLocation.str() == "test.yaml:4:32");
}

BOOST_AUTO_TEST_CASE(ProfileWithoutFlowOrOutputs)
{
    BOOST_TEST(onlyError("profiles:\n"
                         "  p:\n"
                         "    outputs: [ { file: /x } ]\n") ==
               "test.yaml:2:3: error: profile 'p' has no 'flow' (e.g. flow: pat)");
    BOOST_TEST(onlyError(kProfileHead) ==
               "test.yaml:2:3: error: profile 'p' has no 'outputs': nothing would receive its token");
    BOOST_TEST(onlyError(kProfileHead + "    outputs: []\n") ==
               "test.yaml:2:3: error: profile 'p' has no 'outputs': nothing would receive its token");
}

BOOST_AUTO_TEST_CASE(InvalidProfileName)
{
    const std::string message =
        "profile names use letters, digits, '.', '_' and '-' and start with a letter or digit";
    BOOST_TEST(onlyError("profiles:\n"
                         "  \"my profile\":\n"
                         "    flow: pat\n"
                         "    outputs: [ { file: /x } ]\n") == "test.yaml:2:3: error: " + message);
    BOOST_TEST(onlyError("profiles:\n  _hidden: { flow: pat, outputs: [ { file: /x } ] }\n") ==
               "test.yaml:2:3: error: " + message);
    BOOST_TEST(onlyError("profiles:\n  a/b: { flow: pat, outputs: [ { file: /x } ] }\n") ==
               "test.yaml:2:3: error: " + message);
}

BOOST_AUTO_TEST_CASE(DuplicateKeys)
{
    BOOST_TEST(onlyError("broker:\n"
                         "  state_dir: /a\n"
                         "  state_dir: /b\n") == "test.yaml:3:3: error: duplicate key 'state_dir' in broker");
    BOOST_TEST(onlyError("profiles:\n"
                         "  p:\n"
                         "    flow: pat\n"
                         "    outputs: [ { file: /x } ]\n"
                         "  p:\n"
                         "    flow: jwt\n"
                         "    outputs: [ { file: /y } ]\n") == "test.yaml:5:3: error: duplicate profile 'p'");
    BOOST_TEST(onlyError(kProfileHead +
                         "    flow: jwt\n"
                         "    outputs: [ { file: /x } ]\n") ==
               "test.yaml:4:5: error: duplicate key 'flow' in profile 'p'");
    BOOST_TEST(onlyError("broker: {}\nbroker: {}\n") == "test.yaml:2:1: error: duplicate key 'broker' in the configuration");
    BOOST_TEST(onlyError(kProfileHead + "    outputs: [ { file: /x, format: raw, format: json } ]\n") ==
               "test.yaml:4:41: error: duplicate key 'format' in file output");
}

BOOST_AUTO_TEST_CASE(ProfileMustBeAMapping)
{
    BOOST_TEST(onlyError("profiles:\n  p: pat\n") == "test.yaml:2:6: error: profile 'p' must be a mapping of settings");
    BOOST_TEST(onlyError("profiles:\n  - p\n") ==
               "test.yaml:2:3: error: profiles must be a mapping of profile names to settings");
    BOOST_TEST(onlyError("broker: [1]\n") == "test.yaml:1:9: error: broker must be a mapping of keys to values, not a list");
}

BOOST_AUTO_TEST_CASE(OtherProfileKeys)
{
    BOOST_TEST(onlyError(kProfileHead + "    base_url: ftp://example.com\n    outputs: [ { file: x } ]\n") ==
               "test.yaml:4:15: error: profile 'p'.base_url must be an http:// or https:// URL without query, "
               "e.g. https://api.coze.cn");
    BOOST_TEST(onlyError(kProfileHead + "    on_remove: delete\n    outputs: [ { file: x } ]\n") ==
               "test.yaml:4:16: error: profile 'p'.on_remove must be 'leave' or 'remove'");
    BOOST_TEST(onlyError(kProfileHead + "    on_rotate: []\n    outputs: [ { file: x } ]\n") ==
               "test.yaml:4:16: error: profile 'p'.on_rotate must name a program to run");
    // A flow that is not a string also leaves the profile without a flow.
    BOOST_TEST(errorsOf("profiles:\n  p:\n    flow: { name: pat }\n    outputs: [ { file: x } ]\n") ==
                   (std::vector<std::string>{"test.yaml:3:11: error: profile 'p'.flow must be a string, not a mapping",
                                             "test.yaml:2:3: error: profile 'p' has no 'flow' (e.g. flow: pat)"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(SeveralErrorsInOnePass)
{
    const std::string yaml = "brokr:\n"                        // 1
                             "  state_dir: /x\n"               // 2
                             "broker:\n"                       // 3
                             "  refresh: { at: 2 }\n"          // 4
                             "  admin: { listen: nowhere }\n"  // 5
                             "profiles:\n"                     // 6
                             "  a:\n"                          // 7
                             "    outputs:\n"                  // 8
                             "      - file: /a\n"              // 9
                             "        format: xml\n"           // 10
                             "  b:\n"                          // 11
                             "    flow: pat\n"                 // 12
                             "    outputs:\n"                  // 13
                             "      - env: T\n"                // 14
                             "        mode: \"0999\"\n";       // 15
    try
    {
        load(yaml);
        BOOST_FAIL("accepted a broken configuration");
    }
    catch (const ConfigErrors& e)
    {
        std::vector<std::string> lines;
        for (const auto& error : e.errors())
            lines.push_back(error.what());
        const std::vector<std::string> expected = {
            "test.yaml:1:1: error: unknown key 'brokr' in the configuration (did you mean 'broker'?)",
            "test.yaml:4:18: error: broker.refresh.at must be a fraction between 0 and 1 (e.g. 0.8)",
            "test.yaml:5:20: error: broker.admin.listen must be HOST:PORT (e.g. 127.0.0.1:7469) or \"off\"",
            "test.yaml:10:17: error: format must be raw, json or env",
            "test.yaml:7:3: error: profile 'a' has no 'flow' (e.g. flow: pat)",
            "test.yaml:15:15: error: " + badModeError(),
        };
        BOOST_TEST(e.errors().size() == expected.size());
        BOOST_TEST(lines == expected, boost::test_tools::per_element());
        // what() lists them all, one per line, for `tokenbroker check`.
        std::string joined;
        for (const auto& line : expected)
            joined += (joined.empty() ? "" : "\n") + line;
        BOOST_TEST(std::string(e.what()) == joined);
        // The structured parts agree with the text.
        BOOST_TEST(e.errors()[1].location().line == 4);
        BOOST_TEST(e.errors()[1].location().column == 18);
        BOOST_TEST(e.errors()[1].location().file == "test.yaml");
        BOOST_TEST(e.errors()[1].message() == "broker.refresh.at must be a fraction between 0 and 1 (e.g. 0.8)");
    }
}

BOOST_AUTO_TEST_CASE(MissingFileNamesTheFile)
{
    TempDir dir;
    const std::string path = dir.file("does-not-exist.yaml");
    try
    {
        ConfigLoader::loadFile(path);
        BOOST_FAIL("loaded a missing file");
    }
    catch (const ConfigErrors& e)
    {
        BOOST_TEST_REQUIRE(e.errors().size() == 1u);
        BOOST_TEST(std::string(e.errors()[0].what()) ==
                   path + ": error: cannot open the configuration file: No such file or directory");
        BOOST_TEST(e.errors()[0].location().file == path);
    }
}

BOOST_AUTO_TEST_CASE(ErrorsInAFileNameTheFileAsGiven)
{
    TempDir dir;
    const std::string path = dir.file("bad.yaml");
    writeFile(path, "broker:\n  stat_dir: /x\n");
    try
    {
        ConfigLoader::loadFile(path);
        BOOST_FAIL("loaded a broken file");
    }
    catch (const ConfigErrors& e)
    {
        BOOST_TEST_REQUIRE(e.errors().size() == 1u);
        BOOST_TEST(std::string(e.errors()[0].what()) ==
                   path + ":2:3: error: unknown key 'stat_dir' in broker (did you mean 'state_dir'?)");
    }
}

BOOST_AUTO_TEST_SUITE_END()
