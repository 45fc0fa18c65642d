#include <boost/test/unit_test.hpp>

#include "ConfigLoader.h"
#include "TempDir.h"
#include "TestPlatform.h"
#include "YamlConfiguration.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/NullChannel.h>
#include <Poco/Util/LoggingConfigurator.h>

#include <string>
#include <vector>

using namespace TokenBroker;
using TokenBroker::Test::TempDir;
using TokenBroker::Test::readFile;

namespace {

const std::string kYaml = "broker:\n"
                          "  state_dir: /var/lib/tb\n"
                          "  plugin_dirs: [/usr/lib/tb, /opt/tb]\n"
                          "  workers: 6\n"
                          "logging:\n"
                          "  loggers:\n"
                          "    root:\n"
                          "      level: warning\n"
                          "      channel: console\n"
                          "  channels:\n"
                          "    console:\n"
                          "      class: ConsoleChannel\n"
                          "    file:\n"
                          "      class: FileChannel\n"
                          "      path: \"${broker.state_dir}/broker.log\"\n"
                          "      rotateOnOpen: true\n"
                          "defaults:\n"
                          "  base_url: https://api.coze.cn\n"
                          "profiles:\n"
                          "  p:\n"
                          "    flow: pat\n"
                          "    outputs: [ { file: /run/p.token } ]\n";

Poco::AutoPtr<YamlConfiguration> configurationOf(const std::string& yaml)
{
    Config config = ConfigLoader::loadString(yaml, "test.yaml", "/etc/tb");
    return new YamlConfiguration(config.root);
}

} // namespace

BOOST_AUTO_TEST_SUITE(YamlConfigurationView)

BOOST_AUTO_TEST_CASE(DottedKeysReachNestedScalars)
{
    auto config = configurationOf(kYaml);
    BOOST_TEST(config->getString("logging.loggers.root.level") == "warning");
    BOOST_TEST(config->getString("broker.state_dir") == "/var/lib/tb");
    BOOST_TEST(config->getInt("broker.workers") == 6);
    BOOST_TEST(config->getBool("logging.channels.file.rotateOnOpen") == true);
}

BOOST_AUTO_TEST_CASE(ProfilesAndDefaultsAreLeftOut)
{
    // The view serves logging.*; a copy of every profile would live as long
    // as the daemon (tens of MiB for 10,000 profiles).
    auto config = configurationOf(kYaml);
    BOOST_TEST(!config->has("profiles.p.outputs.0.file"));
    BOOST_TEST(!config->has("profiles.p.flow"));
    BOOST_TEST(!config->has("defaults.base_url"));
    BOOST_TEST(config->getString("logging.channels.console.class") == "ConsoleChannel");
}

BOOST_AUTO_TEST_CASE(ListItemsByIndex)
{
    auto config = configurationOf(kYaml);
    BOOST_TEST(config->getString("broker.plugin_dirs.0") == "/usr/lib/tb");
    BOOST_TEST(config->getString("broker.plugin_dirs.1") == "/opt/tb");
    BOOST_TEST(!config->has("broker.plugin_dirs.2"));
    BOOST_TEST(!config->has("broker.plugin_dirs.x"));
    std::vector<std::string> keys;
    config->keys("broker.plugin_dirs", keys);
    BOOST_TEST(keys == (std::vector<std::string>{"0", "1"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(EnumeratesKeys)
{
    auto config = configurationOf(kYaml);
    std::vector<std::string> top;
    config->keys(top);
    BOOST_TEST(top == (std::vector<std::string>{"broker", "logging"}),
               boost::test_tools::per_element());
    std::vector<std::string> channels;
    config->keys("logging.channels", channels);
    BOOST_TEST(channels == (std::vector<std::string>{"console", "file"}), boost::test_tools::per_element());
    std::vector<std::string> none;
    config->keys("logging.nothing", none);
    BOOST_TEST(none.empty());
    // A scalar has no sub-keys.
    config->keys("broker.workers", none);
    BOOST_TEST(none.empty());
}

BOOST_AUTO_TEST_CASE(ExpandsReferences)
{
    auto config = configurationOf(kYaml);
    BOOST_TEST(config->getString("logging.channels.file.path") == "/var/lib/tb/broker.log");
    // The raw value keeps the reference.
    BOOST_TEST(config->getRawString("logging.channels.file.path") == "${broker.state_dir}/broker.log");
    BOOST_TEST(config->expand("${broker.workers} workers") == "6 workers");
}

BOOST_AUTO_TEST_CASE(MissingKeysFallBackToDefaults)
{
    auto config = configurationOf(kYaml);
    BOOST_TEST(config->getString("broker.missing", "fallback") == "fallback");
    BOOST_TEST(config->getInt("logging.loggers.root.missing", 42) == 42);
    BOOST_TEST(config->getString("nothing.at.all", "x") == "x");
    // Below a scalar there is nothing either.
    BOOST_TEST(config->getString("broker.workers.deeper", "d") == "d");
    BOOST_TEST(!config->has("broker.missing"));
    BOOST_TEST(config->has("broker.workers"));
    BOOST_CHECK_THROW(config->getString("broker.missing"), Poco::NotFoundException);
    // A mapping is not a value.
    BOOST_CHECK_THROW(config->getString("broker"), Poco::NotFoundException);
}

BOOST_AUTO_TEST_CASE(LookupsDoNotChangeTheDocument)
{
    // yaml-cpp's non-const operator[] inserts missing keys; looking up
    // absent keys must not make them appear.
    auto config = configurationOf(kYaml);
    config->getString("ghost.key", "");
    config->getString("broker.ghost", "");
    config->has("logging.loggers.ghost.level");
    std::vector<std::string> top, broker;
    config->keys(top);
    config->keys("broker", broker);
    BOOST_TEST(top == (std::vector<std::string>{"broker", "logging"}),
               boost::test_tools::per_element());
    BOOST_TEST(broker == (std::vector<std::string>{"plugin_dirs", "state_dir", "workers"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(SetValuesShadowTheDocument)
{
    Config loaded = ConfigLoader::loadString(kYaml, "test.yaml", "/etc/tb");
    Poco::AutoPtr<YamlConfiguration> config = new YamlConfiguration(loaded.root);
    config->setInt("broker.workers", 9);
    config->setString("logging.loggers.extra.level", "debug");
    BOOST_TEST(config->getInt("broker.workers") == 9);
    BOOST_TEST(config->getString("logging.loggers.extra.level") == "debug");
    std::vector<std::string> loggers;
    config->keys("logging.loggers", loggers);
    BOOST_TEST(loggers == (std::vector<std::string>{"extra", "root"}), boost::test_tools::per_element());
    // The parsed document itself is untouched.
    BOOST_TEST(loaded.root["broker"]["workers"].scalar() == "6");
    config->remove("broker.workers");
    BOOST_TEST(config->getInt("broker.workers") == 6);
}

BOOST_AUTO_TEST_CASE(ConfiguresPocoLoggingFromTheSameFile)
{
    TempDir dir;
    const std::string yaml = "broker:\n"
                             "  state_dir: " + dir.path() + "\n"
                             "logging:\n"
                             "  formatters:\n"
                             "    plain:\n"
                             "      class: PatternFormatter\n"
                             "      pattern: \"%q|%s|%t\"\n"
                             "  channels:\n"
                             "    file:\n"
                             "      class: FileChannel\n"
                             "      path: \"${broker.state_dir}/logs.txt\"\n"
                             "      formatter: plain\n"
                             "  loggers:\n"
                             "    root:\n"
                             "      channel: file\n"
                             "      level: information\n"
                             "    quiet:\n"
                             "      name: tokenbroker.quiet\n"
                             "      channel: file\n"
                             "      level: error\n";
    auto config = configurationOf(yaml);
    Poco::Util::LoggingConfigurator().configure(config);

    Poco::Logger::get("tokenbroker.test").information("hello from yaml");
    Poco::Logger::get("tokenbroker.test").debug("below the root level");
    Poco::Logger::get("tokenbroker.quiet").warning("below the quiet level");
    Poco::Logger::get("tokenbroker.quiet").error("quiet but important");
    // Release the file before reading it, and stop later tests from logging
    // into this soon-deleted directory.
    Poco::Logger::root().setChannel(new Poco::NullChannel);
    Poco::Logger::shutdown();

    // POCO's FileChannel ends lines the platform's way (CRLF on Windows).
    const std::string log = TokenBroker::Test::fromPlatformLineEnds(readFile(dir.file("logs.txt")));
    BOOST_TEST(log == "I|tokenbroker.test|hello from yaml\nE|tokenbroker.quiet|quiet but important\n");
}

BOOST_AUTO_TEST_SUITE_END()
