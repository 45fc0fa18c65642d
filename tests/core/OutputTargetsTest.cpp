// What `check` refuses as unsafe in the outputs: a mode that would make a
// token file setuid or world-writable, and an output that would overwrite
// another output, a key, a CA, the configuration or tokenbroker's state.

#include <boost/test/unit_test.hpp>

#include "ConfigErrorLines.h"
#include "ConfigLoader.h"
#include "TestPlatform.h"

#include <string>
#include <vector>

using namespace TokenBroker;
using TokenBroker::Test::configErrorLines;

namespace {

const std::string kHead = "broker:\n"
                          "  state_dir: /var/lib/tb\n"
                          "profiles:\n";

/// /run/x on POSIX, C:\run\x on Windows: an absolute path either way.
std::string absolute(const std::string& name)
{
    return TokenBroker::Test::onWindows() ? "C:\\run\\" + name : "/run/" + name;
}

/// The errors of a configuration whose one output is a file with `mode`
/// (its value at line 8, column 15).
std::vector<std::string> fileOutputModeErrors(const std::string& mode)
{
    return configErrorLines(kHead + "  p:\n"
                                    "    flow: pat\n"
                                    "    outputs:\n"
                                    "      - file: /run/p.token\n"
                                    "        mode: \"" + mode + "\"\n");
}

} // namespace

BOOST_AUTO_TEST_SUITE(OutputModes)

BOOST_AUTO_TEST_CASE(setuid_setgid_and_sticky_modes_are_refused)
{
    TOKENBROKER_SKIP_ON_WINDOWS("`mode` is refused on Windows whatever it says (ConfigTest.BadMode)");
    for (const std::string mode : {"4640", "2640", "1640", "6755"})
    {
        const auto errors = fileOutputModeErrors(mode);
        BOOST_TEST_REQUIRE(errors.size() == 1u, mode);
        BOOST_TEST(errors[0] == "test.yaml:8:15: error: mode " + mode +
                                    " has setuid, setgid or sticky bits, which a token file must not have");
    }
}

BOOST_AUTO_TEST_CASE(a_world_writable_mode_is_refused)
{
    TOKENBROKER_SKIP_ON_WINDOWS("`mode` is refused on Windows whatever it says (ConfigTest.BadMode)");
    const auto errors = configErrorLines(kHead + "  p:\n"
                                         "    flow: pat\n"
                                         "    outputs:\n"
                                         "      - env: T\n"
                                         "        path: /run/p.env\n"
                                         "        mode: \"0666\"\n");
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0] == "test.yaml:9:15: error: mode 0666 lets anyone on the machine change the token; drop "
                            "the write bit for others");
}

BOOST_AUTO_TEST_CASE(a_world_readable_mode_is_refused)
{
    // Readers of a token are a group, not every account on the machine.
    TOKENBROKER_SKIP_ON_WINDOWS("`mode` is refused on Windows whatever it says (ConfigTest.BadMode)");
    for (const std::string mode : {"0644", "0604", "0444"})
    {
        const auto errors = fileOutputModeErrors(mode);
        BOOST_TEST_REQUIRE(errors.size() == 1u, mode);
        BOOST_TEST(errors[0] == "test.yaml:8:15: error: mode " + mode +
                                    " lets every user on the machine read the token; give its readers a group "
                                    "(group: NAME) and use 0640");
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(OutputCollisions)

BOOST_AUTO_TEST_CASE(two_outputs_on_one_file_are_refused_at_the_second)
{
    const std::string shared = absolute("shared.token");
    const auto errors = configErrorLines(kHead + "  a:\n"                       // 4
                                         "    flow: pat\n"              // 5
                                         "    outputs:\n"               // 6
                                         "      - file: " + shared + "\n"  // 7
                                         "  b:\n"                       // 8
                                         "    flow: pat\n"              // 9
                                         "    outputs:\n"               // 10
                                         "      - file: " + shared + "\n");  // 11
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0] == "test.yaml:11:9: error: profile 'b': its output " + shared +
                                " is also the output of profile 'a' (test.yaml:7:9); an output must be a file of its own");
}

BOOST_AUTO_TEST_CASE(an_output_on_a_key_file_is_refused)
{
    const std::string key = absolute("app.pem");
    const auto errors = configErrorLines(kHead + "  a:\n"                                  // 4
                                         "    flow: jwt\n"                         // 5
                                         "    private_key: { file: " + key + " }\n"  // 6
                                         "  b:\n"                                  // 7
                                         "    flow: pat\n"                         // 8
                                         "    outputs:\n"                          // 9
                                         "      - file: " + key + "\n"             // 10
                                         "  c:\n"                                  // 11
                                         "    flow: pat\n"                         // 12
                                         "    ca_file: " + absolute("ca.pem") + "\n"  // 13
                                         "    outputs: [{file: " + absolute("ca.pem") + "}]\n");  // 14
    BOOST_TEST_REQUIRE(errors.size() == 3u);
    // Profile a has no outputs: its own error comes first.
    BOOST_TEST(errors[0] == "test.yaml:4:3: error: profile 'a' has no 'outputs': nothing would receive its token");
    BOOST_TEST(errors[1] == "test.yaml:10:9: error: profile 'b': its output " + key +
                                " is the private_key file of profile 'a' (test.yaml:6:18); an output must be a file of its own");
    BOOST_TEST(errors[2] == "test.yaml:14:15: error: profile 'c': its output " + absolute("ca.pem") +
                                " is the ca_file of profile 'c'; an output must be a file of its own");
}

BOOST_AUTO_TEST_CASE(an_output_on_the_configuration_file_is_refused)
{
    const auto errors = configErrorLines(kHead + "  a:\n"
                                         "    flow: pat\n"
                                         "    outputs: [{file: test.yaml}]\n");
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0].find("test.yaml:6:15: error: profile 'a': its output ") == 0u, errors[0]);
    BOOST_TEST(errors[0].find(" is the configuration file itself;") != std::string::npos, errors[0]);
}

BOOST_AUTO_TEST_CASE(an_output_inside_the_state_directory_is_refused_but_the_default_env_file_is_not)
{
    const std::string state = TokenBroker::Test::onWindows() ? "C:\\state" : "/var/lib/tb";
    const std::string sep = TokenBroker::Test::onWindows() ? "\\" : "/";
    const auto errors = configErrorLines("broker:\n"
                                 "  state_dir: " + state + "\n"
                                 "profiles:\n"
                                 "  a:\n"                                                 // 4
                                 "    flow: pat\n"                                        // 5
                                 "    outputs: [{file: " + state + sep + "b.json}]\n");    // 6
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0] == "test.yaml:6:15: error: profile 'a': its output " + state + sep +
                                "b.json is inside broker.state_dir (" + state + "), which holds tokenbroker's own state");
    if (!TokenBroker::Test::onWindows())
    {
        // An env output without a path is written there by design.
        Config config = ConfigLoader::loadString("broker:\n  state_dir: /var/lib/tb\n"
                                                 "profiles:\n  a: {flow: pat, outputs: [{env: TOKEN}]}\n",
                                                 "test.yaml", "/etc/tb");
        BOOST_TEST(config.profiles.at(0).outputs.at(0).path == "/var/lib/tb/a.env");
    }
}

BOOST_AUTO_TEST_SUITE_END()
