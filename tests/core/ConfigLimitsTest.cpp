// Configurations built to exhaust memory: each bound of YamlLimits is a
// file:line:col error found before any alias is expanded, and files right
// at a bound still load.

#include <boost/test/unit_test.hpp>

#include "ConfigErrorLines.h"
#include "ConfigLoader.h"
#include "HostileInput.h"
#include "TempDir.h"
#include "TestPlatform.h"
#include "YamlLimits.h"

#include <string>
#include <vector>

using namespace TokenBroker;
using TokenBroker::Test::configErrorLines;
using TokenBroker::Test::aliasBombPosition;
using TokenBroker::Test::TempDir;
using TokenBroker::Test::yamlAliasBomb;
using TokenBroker::Test::writeFile;

namespace {

std::string nested(int depth)
{
    return "profiles: " + std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']') + "\n";
}

} // namespace

BOOST_AUTO_TEST_SUITE(ConfigLimits)

BOOST_AUTO_TEST_CASE(an_alias_bomb_is_refused_at_the_alias_that_crosses_the_bound)
{
    const std::string bomb = yamlAliasBomb();
    BOOST_TEST_REQUIRE(bomb.size() < 1024u);
    // a..e expand to 74,738 values with their keys; each *e of line 6 adds
    // 66,430 more, and the seventh crosses 500,000.
    const auto errors = configErrorLines(bomb);
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0] == "test.yaml:" + aliasBombPosition("") + ": error: with its aliases expanded, the configuration grows past "
                            "500000 values (an alias bomb?)");
}

BOOST_AUTO_TEST_CASE(an_alias_bomb_in_a_file_is_refused_with_the_file_s_position)
{
    TempDir dir;
    const std::string path = dir.file("bomb.yaml");
    writeFile(path, yamlAliasBomb());
    try
    {
        ConfigLoader::loadFile(path);
        BOOST_FAIL("loaded an alias bomb");
    }
    catch (const ConfigErrors& e)
    {
        BOOST_TEST_REQUIRE(e.errors().size() == 1u);
        BOOST_TEST(e.errors()[0].location().file == path);
        BOOST_TEST(e.errors()[0].location().line == 6);
    }
}

BOOST_AUTO_TEST_CASE(aliases_within_the_bounds_still_share_settings)
{
    Config config = ConfigLoader::loadString("defaults:\n"
                                             "  client_id: &client shared\n"
                                             "profiles:\n"
                                             "  a: {flow: pat, token: &token t, outputs: [{file: /run/a}]}\n"
                                             "  b: {flow: pat, token: *token, outputs: [{file: /run/b}]}\n"
                                             "  c: {flow: jwt, client_id: *client, outputs: [{file: /run/c}]}\n",
                                             "test.yaml", "/etc/tb");
    BOOST_TEST_REQUIRE(config.profiles.size() == 3u);
    BOOST_TEST(config.profiles[1].settings.at("token").value.scalar() == "t");
    BOOST_TEST(config.profiles[2].settings.at("client_id").value.scalar() == "shared");
}

BOOST_AUTO_TEST_CASE(nesting_deeper_than_32_levels_is_refused_where_it_goes_too_deep)
{
    // The document's mapping is level 1; the 32nd '[' (column 11 + 31)
    // would be level 33.
    const auto errors = configErrorLines(nested(40));
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0] == "test.yaml:1:42: error: mappings and lists nest deeper than 32 levels here");
    // Block lists nest with no bracket at all.
    std::string block = "profiles:\n  ";
    for (int i = 0; i < 40; ++i)
        block += "- ";
    block += "x\n";
    const auto blockErrors = configErrorLines(block);
    BOOST_TEST_REQUIRE(blockErrors.size() == 1u);
    BOOST_TEST(blockErrors[0].rfind("test.yaml:2:", 0) == 0u, blockErrors[0]);
    BOOST_TEST(blockErrors[0].find("nest deeper than 32 levels") != std::string::npos, blockErrors[0]);
}

BOOST_AUTO_TEST_CASE(thirty_two_levels_are_within_the_bound)
{
    // Refused for what it is (not a mapping), not for its depth.
    const auto errors = configErrorLines(nested(31));
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0] == "test.yaml:1:11: error: profiles must be a mapping of profile names to settings");
}

BOOST_AUTO_TEST_CASE(a_value_larger_than_64_kib_is_refused_at_its_position)
{
    const std::string huge(70 * 1024, 'x');
    const auto errors = configErrorLines("profiles:\n"
                                 "  p:\n"
                                 "    flow: jwt\n"
                                 "    session_name: " + huge + "\n");
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0] == "test.yaml:4:19: error: a value of 70 KiB is larger than the 64 KiB a value may have");

    const std::string atTheBound(64 * 1024, 'x');
    Config config = ConfigLoader::loadString("profiles:\n"
                                             "  p:\n"
                                             "    flow: jwt\n"
                                             "    outputs: [{file: /run/p}]\n"
                                             "    session_name: " + atTheBound + "\n",
                                             "test.yaml", "/etc/tb");
    BOOST_TEST(config.profiles.at(0).settings.at("session_name").value.scalar().size() == atTheBound.size());
}

BOOST_AUTO_TEST_CASE(a_key_longer_than_256_bytes_is_refused_at_its_position)
{
    const std::string key(300, 'k');
    const auto errors = configErrorLines("profiles:\n"
                                 "  p:\n"
                                 "    " + key + ": 1\n");
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0] == "test.yaml:3:5: error: a key of 300 bytes is longer than the 256 bytes a key may have");
}

BOOST_AUTO_TEST_CASE(a_file_larger_than_16_mib_is_refused_before_it_is_parsed)
{
    TempDir dir;
    const std::string path = dir.file("big.yaml");
    std::string unknownKeys;
    for (int i = 0; unknownKeys.size() <= 16 * 1024 * 1024; ++i)
        unknownKeys += "unknown_key_" + std::to_string(i) + ": 1\n";
    writeFile(path, unknownKeys);
    try
    {
        ConfigLoader::loadFile(path);
        BOOST_FAIL("loaded a file over the size bound");
    }
    catch (const ConfigErrors& e)
    {
        BOOST_TEST_REQUIRE(e.errors().size() == 1u, e.what());
        BOOST_TEST(std::string(e.errors()[0].what()) ==
                   path + ":1:1: error: the file is larger than 16 MiB, the most a configuration may have");
    }
}

BOOST_AUTO_TEST_CASE(a_device_that_never_ends_is_read_only_up_to_the_bound)
{
    TOKENBROKER_SKIP_ON_WINDOWS("/dev/zero is a POSIX device");
    try
    {
        ConfigLoader::loadFile("/dev/zero");
        BOOST_FAIL("loaded /dev/zero");
    }
    catch (const ConfigErrors& e)
    {
        BOOST_TEST_REQUIRE(e.errors().size() == 1u);
        BOOST_TEST(std::string(e.errors()[0].what()) ==
                   "/dev/zero:1:1: error: the file is larger than 16 MiB, the most a configuration may have");
    }
}

BOOST_AUTO_TEST_CASE(more_than_20000_profiles_are_refused)
{
    std::string yaml = "profiles:\n";
    for (int i = 0; i <= 20000; ++i)
        yaml += "  p" + std::to_string(i) + ": {}\n";
    const auto errors = configErrorLines(yaml);
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0] == "test.yaml:2:3: error: there are 20001 profiles; one configuration may have at most 20000");
}

BOOST_AUTO_TEST_CASE(sizes_in_messages_read_as_people_write_them)
{
    BOOST_TEST(describeBytes(1) == "1 byte");
    BOOST_TEST(describeBytes(300) == "300 bytes");
    BOOST_TEST(describeBytes(64 * 1024) == "64 KiB");
    BOOST_TEST(describeBytes(1536) == "1.5 KiB");
    BOOST_TEST(describeBytes(1024 * 1024) == "1 MiB");
    BOOST_TEST(describeBytes(50u * 1024 * 1024) == "50 MiB");
}

BOOST_AUTO_TEST_SUITE_END()
