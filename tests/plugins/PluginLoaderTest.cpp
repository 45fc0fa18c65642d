#define BOOST_TEST_MODULE PluginLoaderTest
#include <boost/test/unit_test.hpp>

#include "ChildProcess.h"
#include "TextMatch.h"
#include "PluginRegistry.h"
#include "TempDir.h"
#include "TestPlatform.h"

#include <Poco/File.h>
#include <Poco/SharedLibrary.h>

#include <sys/stat.h>

#include <atomic>
#include <thread>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace TokenBroker;
using namespace TokenBroker::Test;

namespace {

const std::string kFixtures = TOKENBROKER_FIXTURE_PLUGIN_DIR;
const std::string kPlugins = TOKENBROKER_PLUGIN_DIR;

/// A plugin file name as the host looks for it: "name.so", "name.dll".
std::string lib(const std::string& name)
{
    return name + Poco::SharedLibrary::suffix();
}

/// Copies a library into `dir` under `name`, mode 0755.
std::string install(const std::string& source, const TempDir& dir, const std::string& name)
{
    const std::string target = dir.file(name);
    Poco::File(source).copyTo(target);
    ::chmod(target.c_str(), 0755);
    return target;
}

PluginRegistry loadFrom(const TempDir& dir)
{
    PluginRegistry registry;
    registry.loadDirectories({dir.path()});
    return registry;
}

/// `root`/tokenbroker.yaml: state in `root`/state, plugins from
/// `pluginDir`, no admin endpoint, the one profile `profileYaml` (indented
/// under `profiles:`, with its outputs). Returns its path.
std::string writeBrokerConfig(const TempDir& root, const std::string& pluginDir, const std::string& profileYaml)
{
    const std::string path = root.file("tokenbroker.yaml");
    writeFile(path, "broker:\n"
                    "  state_dir: " + root.file("state") + "\n"
                    "  plugin_dirs: [" + pluginDir + "]\n"
                    "  admin: off\n"
                    "profiles:\n" + profileYaml);
    return path;
}

RunResult broker(const std::vector<std::string>& args)
{
    return run(TOKENBROKER_EXE, {args});
}

/// Names, summaries and schema keys of a plugin's flows as the host read them.
std::vector<std::string> flowListing(const Plugin& plugin)
{
    std::vector<std::string> listing;
    for (const auto& flow : plugin.flows())
    {
        std::string line = flow.name + ": " + flow.summary + " [";
        for (const char* key : {"token", "lifetime", "label"})
        {
            if (flow.schema.find(key))
                line += std::string(" ") + key;
        }
        listing.push_back(line + " ]");
    }
    return listing;
}

} // namespace

BOOST_AUTO_TEST_SUITE(Loading)

BOOST_AUTO_TEST_CASE(loads_the_pat_plugin_and_its_schema)
{
    PluginRegistry registry;
    registry.loadDirectories({kPlugins});
    auto flow = registry.findFlow("pat");
    BOOST_REQUIRE(flow);
    BOOST_TEST(flow->plugin->name() == "coze-pat");
    const SettingSchema* token = flow->flow->schema.find("token");
    BOOST_REQUIRE(token);
    BOOST_TEST((token->type == SettingSchema::Type::Secret));
    BOOST_TEST(token->required);
    BOOST_TEST(token->env == "COZE_API_TOKEN");
    BOOST_TEST(!registry.findFlow("no-such-flow"));
    // The kit's descriptor states the size of its flows.
    const tokenbroker_plugin& descriptor = flow->plugin->descriptor();
    BOOST_REQUIRE(TOKENBROKER_HAS_FIELD(&descriptor, tokenbroker_plugin, flow_struct_size));
    BOOST_TEST(descriptor.flow_struct_size == sizeof(tokenbroker_flow));
}

BOOST_AUTO_TEST_CASE(refuses_a_library_without_the_entry_point)
{
    TempDir dir;
    install(kFixtures + "/" + lib("no_symbol"), dir, lib("no_symbol"));
    PluginRegistry registry = loadFrom(dir);
    BOOST_TEST(registry.plugins().empty());
    BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
    BOOST_TEST(contains(registry.refusals()[0].reason, "no symbol tokenbroker_plugin_v1"));
    BOOST_TEST(contains(registry.refusals()[0].path, lib("no_symbol")));
}

BOOST_AUTO_TEST_CASE(refuses_another_abi_version)
{
    TempDir dir;
    install(kFixtures + "/" + lib("wrong_abi"), dir, lib("wrong_abi"));
    PluginRegistry registry = loadFrom(dir);
    BOOST_TEST(registry.plugins().empty());
    BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
    BOOST_TEST(contains(registry.refusals()[0].reason, "plugin ABI version 99, this host speaks version 1"));
}

BOOST_AUTO_TEST_CASE(reports_a_plugin_that_declines_this_host)
{
    TempDir dir;
    install(kFixtures + "/" + lib("declines_host"), dir, lib("declines_host"));
    PluginRegistry registry = loadFrom(dir);
    BOOST_TEST(registry.plugins().empty());
    BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
    BOOST_TEST(contains(registry.refusals()[0].reason, "declined this host"));
}

BOOST_AUTO_TEST_CASE(refuses_a_file_that_is_not_a_library)
{
    TempDir dir;
    writeFile(dir.file(lib("junk")), "this is not a shared library", 0755);
    PluginRegistry registry = loadFrom(dir);
    BOOST_TEST(registry.plugins().empty());
    BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
    BOOST_TEST(contains(registry.refusals()[0].reason, "cannot load"));
}

BOOST_AUTO_TEST_CASE(ignores_files_without_the_library_suffix)
{
    TempDir dir;
    writeFile(dir.file("README.txt"), "notes", 0644);
    install(kPlugins + "/" + lib("pat"), dir, lib("pat"));
    PluginRegistry registry = loadFrom(dir);
    BOOST_TEST(registry.plugins().size() == 1u);
    BOOST_TEST(registry.refusals().empty());
}

BOOST_AUTO_TEST_CASE(refuses_a_plugin_file_writable_by_others)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    TempDir dir;
    const std::string path = install(kPlugins + "/" + lib("pat"), dir, lib("pat"));
    for (mode_t mode : {mode_t(0757), mode_t(0775)})
    {
        ::chmod(path.c_str(), mode);
        PluginRegistry registry = loadFrom(dir);
        BOOST_TEST(registry.plugins().empty());
        BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
        BOOST_TEST(contains(registry.refusals()[0].reason, "writable by group or others"));
    }
}

BOOST_AUTO_TEST_CASE(refuses_a_plugin_directory_writable_by_others)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    TempDir dir;
    install(kPlugins + "/" + lib("pat"), dir, lib("pat"));
    ::chmod(dir.path().c_str(), 0777);
    PluginRegistry registry = loadFrom(dir);
    BOOST_TEST(registry.plugins().empty());
    BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
    BOOST_TEST(registry.refusals()[0].path == dir.path());
    BOOST_TEST(contains(registry.refusals()[0].reason, "writable by group or others (mode 0777)"));
}

BOOST_AUTO_TEST_CASE(refuses_a_plugin_below_a_directory_others_can_write)
{
    // The file and its own directory are fine; one higher is open to all,
    // so anyone could have replaced the directory below it.
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    TempDir dir;
    Poco::File(dir.file("open/plugins")).createDirectories();
    ::chmod(dir.file("open").c_str(), 0777);
    ::chmod(dir.file("open/plugins").c_str(), 0755);
    const std::string path = install(kPlugins + "/" + lib("pat"), dir, "open/plugins/" + lib("pat"));
    PluginRegistry registry;
    registry.loadFile(path);
    BOOST_TEST(registry.plugins().empty());
    BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
    BOOST_TEST(registry.refusals()[0].reason == dir.file("open") + " is writable by group or others (mode 0777); "
                                                                   "run chmod go-w on it",
               registry.refusals()[0].reason);
    // Sticky, as /tmp is: others cannot rename or remove what is ours.
    ::chmod(dir.file("open").c_str(), 01777);
    PluginRegistry sticky;
    sticky.loadFile(path);
    BOOST_TEST(sticky.refusals().empty());
    BOOST_TEST(sticky.plugins().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_symlinked_plugin_is_judged_by_its_target_and_the_targets_directories)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
#ifndef _WIN32
    TempDir dir;
    Poco::File(dir.file("plugins")).createDirectories();
    Poco::File(dir.file("elsewhere")).createDirectories();
    const std::string target = install(kPlugins + "/" + lib("pat"), dir, "elsewhere/" + lib("pat"));
    const std::string link = dir.file("plugins/" + lib("pat"));
    BOOST_REQUIRE(::symlink(("../elsewhere/" + lib("pat")).c_str(), link.c_str()) == 0);
    PluginRegistry trusted;
    trusted.loadFile(link);
    BOOST_TEST(trusted.refusals().empty());
    BOOST_TEST(trusted.plugins().size() == 1u);

    // The link's own directory is fine; the target's is not.
    ::chmod(dir.file("elsewhere").c_str(), 0777);
    PluginRegistry refused;
    refused.loadFile(link);
    BOOST_TEST(refused.plugins().empty());
    BOOST_REQUIRE_EQUAL(refused.refusals().size(), 1u);
    BOOST_TEST(refused.refusals()[0].reason == dir.file("elsewhere") + " is writable by group or others (mode 0777); "
                                                                      "run chmod go-w on it");
    ::chmod(dir.file("elsewhere").c_str(), 0755);
    ::chmod(target.c_str(), 0775);
    PluginRegistry writableTarget;
    writableTarget.loadFile(link);
    BOOST_REQUIRE_EQUAL(writableTarget.refusals().size(), 1u);
    BOOST_TEST(contains(writableTarget.refusals()[0].reason, target + " is writable by group or others (mode 0775)"));
#endif
}

BOOST_AUTO_TEST_CASE(swapping_the_plugin_directory_while_it_loads_never_runs_the_other_library)
{
    // The attack that ran code as root in under a second: the attacker's
    // directory (which only the attacker's own files make untrusted) is
    // exchanged with the real one, over and over, with renameat2's
    // RENAME_EXCHANGE while the broker loads from the real path. The file
    // judged must be the file loaded, so each load is the real plugin or a
    // refusal, and the attacker's constructor never runs.
    TOKENBROKER_SKIP_ON_WINDOWS("RENAME_EXCHANGE is Linux's; on Windows the file is held open denying writes and "
                                "deletion, which keeps its directories from being renamed, until it is loaded");
#ifndef _WIN32
    TempDir dir;
    Poco::File(dir.file("plugins")).createDirectories();
    Poco::File(dir.file("attacker")).createDirectories();
    install(kPlugins + "/" + lib("pat"), dir, "plugins/" + lib("plug"));
    install(kFixtures + "/" + lib("evil_constructor"), dir, "attacker/" + lib("plug"));
    ::chmod(dir.file("plugins").c_str(), 0755);
    ::chmod(dir.file("attacker").c_str(), 0777);
    const std::string marker = dir.file("the-attacker-ran");
    ::setenv("TOKENBROKER_TEST_EVIL_MARKER", marker.c_str(), 1);

    std::atomic<bool> stop{false};
    std::atomic<long> swaps{0};
    std::thread attacker([&] {
        const std::string a = dir.file("plugins"), b = dir.file("attacker");
        while (!stop)
        {
            if (::syscall(SYS_renameat2, AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), 2 /* RENAME_EXCHANGE */) == 0)
                ++swaps;
        }
    });
    int loaded = 0, refused = 0;
    for (int i = 0; i < 400; ++i)
    {
        PluginRegistry registry;
        registry.loadFile(dir.file("plugins/" + lib("plug")));
        if (!registry.plugins().empty())
        {
            ++loaded;
            BOOST_TEST(registry.plugins()[0]->name() == "coze-pat");
        }
        else
        {
            ++refused;
            BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
            const std::string& reason = registry.refusals()[0].reason;
            BOOST_TEST((contains(reason, "writable by group or others") || contains(reason, "cannot open ")), reason);
        }
    }
    stop = true;
    attacker.join();
    ::unsetenv("TOKENBROKER_TEST_EVIL_MARKER");
    BOOST_TEST_MESSAGE(swaps << " swaps: " << loaded << " loads of the real plugin, " << refused << " refusals");
    BOOST_TEST(!Poco::File(marker).exists(), "the attacker's library ran inside the broker");
    // Both happened, so the swaps did race the loads.
    BOOST_TEST(loaded > 0);
    BOOST_TEST(refused > 0);
#endif
}

BOOST_AUTO_TEST_CASE(reports_a_missing_directory)
{
    TempDir dir;
    PluginRegistry registry;
    registry.loadDirectories({dir.file("nope")});
    BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
    BOOST_TEST(contains(registry.refusals()[0].reason, "does not exist"));
}

BOOST_AUTO_TEST_CASE(a_flow_is_provided_once)
{
    TempDir dir;
    install(kPlugins + "/" + lib("pat"), dir, lib("a_pat"));
    install(kPlugins + "/" + lib("pat"), dir, lib("b_pat"));
    PluginRegistry registry = loadFrom(dir);
    BOOST_TEST(registry.plugins().size() == 1u);
    BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
    BOOST_TEST(contains(registry.refusals()[0].path, lib("b_pat")));
    BOOST_TEST(contains(registry.refusals()[0].reason, "flow 'pat' is already provided by"));
}

BOOST_AUTO_TEST_SUITE_END()

// Descriptors of other layouts than this host's header (ABI 1 keeps its
// promise that structs only grow by appending, flows included).
BOOST_AUTO_TEST_SUITE(DescriptorLayouts)

namespace {

/// A fixture plugin installed alone in a plugin directory, and a broker
/// configuration with one profile `p` of `flow` whose token is `token`.
struct FixtureBroker
{
    TempDir root;
    std::string pluginDir = root.file("plugins");
    std::string config;

    FixtureBroker(const std::string& fixture, const std::string& flow, const std::string& token)
    {
        Poco::File(pluginDir).createDirectories();
        ::chmod(pluginDir.c_str(), 0755);
        Poco::File(kFixtures + "/" + fixture).copyTo(pluginDir + "/" + fixture);
        ::chmod((pluginDir + "/" + fixture).c_str(), 0755);
        config = writeBrokerConfig(root, pluginDir,
                                   "  p:\n"
                                   "    flow: " + flow + "\n"
                                   "    token: " + token + "\n"
                                   "    outputs:\n"
                                   "      - file: " + tokenFile() + "\n");
    }

    std::string tokenFile() const { return root.file("out/p.token"); }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_plugin_built_before_login_was_appended_is_read_and_runs)
{
    TempDir dir;
    install(kFixtures + "/" + lib("abi1_before_login"), dir, lib("abi1_before_login"));
    PluginRegistry registry = loadFrom(dir);
    BOOST_TEST(registry.refusals().empty());
    BOOST_REQUIRE_EQUAL(registry.plugins().size(), 1u);
    const Plugin& plugin = *registry.plugins()[0];
    // It really is the old layout: no login, no flow_struct_size.
    BOOST_TEST(!TOKENBROKER_HAS_FIELD(&plugin.descriptor(), tokenbroker_plugin, login));
    BOOST_TEST(!TOKENBROKER_HAS_FIELD(&plugin.descriptor(), tokenbroker_plugin, flow_struct_size));
    BOOST_TEST(plugin.name() == "legacy");
    const std::vector<std::string> expected = {
        "legacy-static: a fixed token (ABI 1 as first published) [ token lifetime ]",
        "legacy-second: the second flow, found by the original stride [ token label ]"};
    BOOST_TEST(flowListing(plugin) == expected, boost::test_tools::per_element());

    // The current host drives it end to end: create, describe, acquire.
    FixtureBroker world(lib("abi1_before_login"), "legacy-second", "legacy_token_1");
    RunResult check = broker({"check", "--verbose", "-c", world.config});
    BOOST_TEST(check.status == 0, check.err);
    BOOST_TEST(check.out == "p (flow legacy-second)\n"
                            "  flow: legacy-second\n"
                            "  layout: abi1-before-login\n"
                            "ok: 1 profiles\n");
    RunResult once = broker({"once", "-c", world.config});
    BOOST_TEST(once.status == 0, once.err);
    BOOST_TEST(readFile(world.tokenFile()) == "legacy_token_1\n");
    RunResult login = broker({"login", "p", "-c", world.config});
    BOOST_TEST(login.status == 2, login.err);
    BOOST_TEST(contains(login.err, "which needs no login"), login.err);
}

BOOST_AUTO_TEST_CASE(a_newer_plugins_bigger_flows_are_walked_by_its_stride)
{
    TempDir dir;
    install(kFixtures + "/" + lib("newer_flow"), dir, lib("newer_flow"));
    PluginRegistry registry = loadFrom(dir);
    BOOST_TEST(registry.refusals().empty());
    BOOST_REQUIRE_EQUAL(registry.plugins().size(), 1u);
    const Plugin& plugin = *registry.plugins()[0];
    BOOST_TEST(plugin.descriptor().flow_struct_size > sizeof(tokenbroker_flow), "the fixture's flows are bigger");
    const std::vector<std::string> expected = {"newer-a: first of three grown flows [ token ]",
                                               "newer-b: second of three grown flows [ token label ]",
                                               "newer-c: third of three grown flows [ token lifetime ]"};
    BOOST_TEST(flowListing(plugin) == expected, boost::test_tools::per_element());

    // The last flow is reached only with the plugin's stride.
    FixtureBroker world(lib("newer_flow"), "newer-c", "newer_token_3");
    RunResult once = broker({"once", "-c", world.config});
    BOOST_TEST(once.status == 0, once.err);
    BOOST_TEST(readFile(world.tokenFile()) == "newer_token_3\n");
}

BOOST_AUTO_TEST_CASE(refuses_a_flow_struct_size_no_flow_can_have)
{
    TempDir dir;
    install(kFixtures + "/" + lib("bad_flow_stride"), dir, lib("bad_flow_stride"));
    PluginRegistry registry = loadFrom(dir);
    BOOST_TEST(registry.plugins().empty());
    BOOST_REQUIRE_EQUAL(registry.refusals().size(), 1u);
    BOOST_TEST(contains(registry.refusals()[0].reason,
                        "flow_struct_size 16 is smaller than the " + std::to_string(3 * sizeof(void*)) +
                            " bytes every ABI 1 flow has"),
               registry.refusals()[0].reason);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(OutOfTreePlugin)

namespace {

/// outoftree/hello_flow.c built against a copy of the public header alone,
/// as a third party would. On POSIX the suite compiles it with the system C
/// compiler here; a Windows suite under wine cannot start the cross
/// compiler (a Linux program), so the build compiled it the same way
/// (tests/plugins/CMakeLists.txt) and the suite installs that DLL.
struct OutOfTreeBuild
{
    TempDir root;
    std::string pluginDir = root.file("plugins");

    OutOfTreeBuild()
    {
        Poco::File(pluginDir).createDirectories();
        ::chmod(pluginDir.c_str(), 0755);
        const std::string prebuilt = TOKENBROKER_OUTOFTREE_PLUGIN;
        if (!prebuilt.empty())
        {
            Poco::File(prebuilt).copyTo(pluginDir + "/" + lib("hello"));
            return;
        }
        Poco::File(root.file("include/tokenbroker")).createDirectories();
        Poco::File(std::string(TOKENBROKER_TEST_SOURCE_DIR) + "/core/include/tokenbroker/plugin.h")
            .copyTo(root.file("include/tokenbroker/plugin.h"));
        RunResult cc = run(TOKENBROKER_C_COMPILER,
                           {{"-std=c99", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-I" + root.file("include"),
                             std::string(TOKENBROKER_TEST_SOURCE_DIR) + "/tests/plugins/outoftree/hello_flow.c", "-o",
                             pluginDir + "/" + lib("hello")}});
        BOOST_REQUIRE_MESSAGE(cc.status == 0, "compiling the out-of-tree plugin failed: " + cc.err);
    }

    std::string writeConfig(const std::string& prefixLine, const std::string& extra = "") const
    {
        return writeBrokerConfig(root, pluginDir,
                                 "  greeting:\n"
                                 "    flow: hello\n" +
                                     prefixLine + extra +
                                     "    outputs:\n"
                                     "      - file: " + root.file("out/greeting.token") + "\n");
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(the_broker_runs_a_profile_with_a_plugin_built_outside_its_tree)
{
    OutOfTreeBuild build;
    const std::string config = build.writeConfig("    prefix: hi\n", "    lifetime: 1h\n");

    RunResult plugins = broker({"plugins", "-c", config});
    BOOST_TEST(plugins.status == 0);
    BOOST_TEST(contains(plugins.out, "hello 1.0"));
    BOOST_TEST(contains(plugins.out, "flow hello: counts its tokens"));

    RunResult check = broker({"check", "-c", config});
    BOOST_TEST(check.status == 0, check.err);
    BOOST_TEST(check.out == "ok: 1 profiles\n");

    RunResult first = broker({"once", "-c", config});
    BOOST_TEST(first.status == 0, first.err);
    BOOST_TEST(readFile(build.root.file("out/greeting.token")) == "hi-1\n");

    // The plugin's counter lives in the host's state service: it survives
    // the process.
    RunResult second = broker({"once", "greeting", "-c", config});
    BOOST_TEST(second.status == 0, second.err);
    BOOST_TEST(readFile(build.root.file("out/greeting.token")) == "hi-2\n");

    RunResult token = broker({"token", "greeting", "-c", config});
    BOOST_TEST(token.status == 0, token.err);
    BOOST_TEST(token.out == "hi-2\n");
}

BOOST_AUTO_TEST_CASE(the_plugins_own_setting_errors_point_into_the_file)
{
    OutOfTreeBuild build;
    // line 9 is "    lifetime: 1s", its value at column 15
    const std::string config = build.writeConfig("    prefix: hi\n", "    lifetime: 1s\n");
    RunResult check = broker({"check", "-c", config});
    BOOST_TEST(check.status == 2);
    BOOST_TEST(contains(check.err, config + ":9:15: error: profile 'greeting': 'lifetime' must be at least 2 seconds"),
               check.err);
}

BOOST_AUTO_TEST_CASE(a_plugin_that_crashes_the_broker_is_named_before_it_dies)
{
    // Nothing survives a wild write in a plugin, but the operator learns
    // which plugin to remove instead of finding no line at all.
    TempDir root;
    Poco::File(root.file("plugins")).createDirectories();
    install(kFixtures + "/" + lib("crashing_flow"), root, "plugins/" + lib("crashing_flow"));
    const std::string config = writeBrokerConfig(root, root.file("plugins"),
                                                 "  boom:\n"
                                                 "    flow: crash\n"
                                                 "    token: t\n"
                                                 "    outputs: [{file: " + root.file("boom.token") + "}]\n");
    RunResult once = broker({"once", "-c", config});
    BOOST_TEST(once.status != 0);
    const std::string what = onWindows() ? "fatal exception 0xc0000005" : "fatal SIGSEGV";
    BOOST_TEST(contains(once.err, "tokenbroker: " + what + " in plugin crashing (flow crash, profile boom, acquire); "
                                  "the process dies: remove or fix that plugin"),
               once.err);
    BOOST_TEST(!Poco::File(root.file("boom.token")).exists());
}

BOOST_AUTO_TEST_CASE(a_world_writable_plugin_directory_is_refused_end_to_end)
{
    TOKENBROKER_SKIP_ON_WINDOWS(kPosixPermissions);
    OutOfTreeBuild build;
    const std::string config = build.writeConfig("    prefix: hi\n");
    ::chmod(build.pluginDir.c_str(), 0777);
    RunResult check = broker({"check", "-c", config});
    BOOST_TEST(check.status == 2);
    BOOST_TEST(contains(check.err, "no plugin provides flow 'hello'"), check.err);
    BOOST_TEST(contains(check.err, "writable by group or others"), check.err);
    BOOST_TEST(!Poco::File(build.root.file("out/greeting.token")).exists());
}

BOOST_AUTO_TEST_SUITE_END()
