#define BOOST_TEST_MODULE HookProcessTest
#include <boost/test/unit_test.hpp>

// on_rotate on Windows: argv quoted by the CommandLineToArgvW rules and read
// back by a real child, stdout and stderr captured (64 KiB at most), a clean
// environment that keeps SystemRoot, and a Job Object so a time-out or a
// stop kills what the hook started too. The hook is
// tokenbroker-hook-child.exe (HookChild.cpp).

#include "CommandLine_win32.h"
#include "HookProcess.h"
#include "TempDir.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/UnicodeConverter.h>

#include <windows.h>

#include <shellapi.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace TokenBroker;
using TokenBroker::Test::TempDir;
using namespace std::chrono_literals;

namespace {

std::string utf8(const std::wstring& text)
{
    std::string result;
    Poco::UnicodeConverter::toUTF8(text, result);
    return result;
}

/// The helper built beside this test executable.
std::string hookChild()
{
    wchar_t self[32768];
    const DWORD n = ::GetModuleFileNameW(nullptr, self, 32768);
    return Poco::Path(utf8(std::wstring(self, n))).parent().toString() + "tokenbroker-hook-child.exe";
}

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> result;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        result.push_back(line);
    return result;
}

/// What CommandLineToArgvW makes of a command line.
std::vector<std::wstring> parse(const std::wstring& line)
{
    int argc = 0;
    LPWSTR* argv = ::CommandLineToArgvW(line.c_str(), &argc);
    std::vector<std::wstring> result(argv, argv + argc);
    ::LocalFree(argv);
    return result;
}

/// The first line of a file the hook writes whole (renamed into place);
/// empty if it is not there.
std::string firstLine(const std::string& path)
{
    std::ifstream in(path);
    std::string text;
    std::getline(in, text);
    return text;
}

/// Polls for that file; empty after the deadline.
std::string waitForFile(const std::string& path, std::chrono::seconds limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;)
    {
        std::string text = firstLine(path);
        if (!text.empty() || std::chrono::steady_clock::now() >= deadline)
            return text;
        std::this_thread::sleep_for(20ms);
    }
}

/// Whether the process `pid` ends within `limit` (an event wait on its
/// handle, not a sleep); true at once if it is already gone.
bool endsWithin(DWORD pid, std::chrono::milliseconds limit)
{
    HANDLE process = ::OpenProcess(SYNCHRONIZE, FALSE, pid);
    if (!process)
        return true;
    const bool ended = ::WaitForSingleObject(process, static_cast<DWORD>(limit.count())) == WAIT_OBJECT_0;
    ::CloseHandle(process);
    return ended;
}

const std::map<std::string, std::string> kNoExtra;

} // namespace

BOOST_AUTO_TEST_CASE(quoting_follows_the_CommandLineToArgvW_rules)
{
    const std::vector<std::pair<std::wstring, std::wstring>> cases = {
        {L"plain", L"plain"},
        {L"", L"\"\""},
        {L"with space", L"\"with space\""},
        {L"tab\there", L"\"tab\there\""},
        {L"say \"hi\"", L"\"say \\\"hi\\\"\""},
        {L"C:\\dir\\", L"C:\\dir\\"},                       // no quotes needed: backslashes literal
        {L"C:\\my dir\\", L"\"C:\\my dir\\\\\""},           // doubled before the closing quote
        {L"a\\\"b", L"\"a\\\\\\\"b\""},                     // backslash before a quote: 2n+1
        {L"\\\\server\\share\\x y", L"\"\\\\server\\share\\x y\""},
        {L"\"", L"\"\\\"\""},
    };
    for (const auto& [arg, expected] : cases)
    {
        BOOST_TEST_CONTEXT("argument [" << utf8(arg) << "]")
        {
            BOOST_TEST(utf8(Win32::quoteArgument(arg)) == utf8(expected));
            const auto parsed = parse(L"prog " + Win32::quoteArgument(arg));
            BOOST_TEST_REQUIRE(parsed.size() == 2u);
            BOOST_TEST(utf8(parsed[1]) == utf8(arg));
        }
    }
    BOOST_TEST(utf8(Win32::commandLine({"C:\\Program Files\\x.exe", "a b"})) == "\"C:\\Program Files\\x.exe\" \"a b\"");
    BOOST_CHECK_THROW(Win32::commandLine({"bad\"name.exe"}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(arguments_with_spaces_quotes_and_backslashes_round_trip_through_a_real_child)
{
    // The program itself sits in a directory with a space in its name.
    TempDir dir;
    Poco::File(dir.file("dir with space")).createDirectory();
    const std::string program = dir.file("dir with space") + "\\hook child.exe";
    Poco::File(hookChild()).copyTo(program);
    const std::vector<std::string> argv = {program,
                                           "args",
                                           "plain",
                                           "with space",
                                           "",
                                           "quote\"inside",
                                           "\"",
                                           "trailing\\",
                                           "trailing space\\",
                                           "two\\\\",
                                           "a\\\\\"b",
                                           "\\\\server\\share\\",
                                           "tab\there",
                                           "\xc3\xbcnic\xc3\xb8" "de \xe2\x82\xac"};
    const HookResult result = runHook(argv, kNoExtra, 60s);
    BOOST_TEST_REQUIRE(result.started, result.error);
    BOOST_TEST(result.exitStatus == 0, result.output);
    std::vector<std::string> expected;
    for (const auto& arg : argv)
        expected.push_back("[" + arg + "]");
    BOOST_TEST(lines(result.output) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stdout_and_stderr_are_both_captured)
{
    const HookResult result = runHook({hookChild(), "say", "to stdout", "to stderr"}, kNoExtra, 60s);
    BOOST_TEST_REQUIRE(result.started, result.error);
    BOOST_TEST(result.exitStatus == 0);
    BOOST_TEST(!result.timedOut);
    BOOST_TEST(result.output.find("to stdout\n") != std::string::npos, result.output);
    BOOST_TEST(result.output.find("to stderr\n") != std::string::npos, result.output);
}

BOOST_AUTO_TEST_CASE(output_is_kept_to_64_KiB_and_a_hook_that_writes_more_still_finishes)
{
    // 256 KiB: four times what the pipe and the cap hold, so the hook only
    // finishes if its output is read on past the cap.
    const HookResult result = runHook({hookChild(), "flood", std::to_string(256 * 1024)}, kNoExtra, 60s);
    BOOST_TEST_REQUIRE(result.started, result.error);
    BOOST_TEST(!result.timedOut);
    BOOST_TEST(result.exitStatus == 0);
    BOOST_TEST(result.output.size() == 64u * 1024u);
    BOOST_TEST(result.output.find_first_not_of('x') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_exit_code_is_reported)
{
    const HookResult result = runHook({hookChild(), "exit", "7"}, kNoExtra, 60s);
    BOOST_TEST_REQUIRE(result.started, result.error);
    BOOST_TEST(result.exitStatus == 7);
    BOOST_TEST(!result.timedOut);
}

BOOST_AUTO_TEST_CASE(a_program_that_does_not_exist_is_reported_as_not_started)
{
    TempDir dir;
    const HookResult result = runHook({dir.file("missing.exe")}, kNoExtra, 60s);
    BOOST_TEST(!result.started);
    BOOST_TEST(result.error.find("cannot run " + dir.file("missing.exe") + ": Windows error") == 0u, result.error);
    const HookResult quoted = runHook({"bad\"name.exe"}, kNoExtra, 60s);
    BOOST_TEST(!quoted.started);
    BOOST_TEST(quoted.error.find("cannot contain") != std::string::npos, quoted.error);
}

BOOST_AUTO_TEST_CASE(the_environment_is_clean_but_keeps_SystemRoot_PATH_and_the_given_variables)
{
    ::SetEnvironmentVariableW(L"TOKENBROKER_TEST_SECRET", L"must-not-leak");
    const HookResult result =
        runHook({hookChild(), "env"}, {{"TOKENBROKER_PROFILE", "p1"}, {"TOKENBROKER_OUTPUTS", "C:\\x;C:\\y"}}, 60s);
    ::SetEnvironmentVariableW(L"TOKENBROKER_TEST_SECRET", nullptr);
    BOOST_TEST_REQUIRE(result.started, result.error);
    std::map<std::string, std::string> env;
    for (const auto& line : lines(result.output))
    {
        const auto eq = line.find('=', 1);   // "=C:=C:\..." entries start with '='
        if (eq != std::string::npos)
            env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    wchar_t systemRoot[MAX_PATH];
    ::GetEnvironmentVariableW(L"SystemRoot", systemRoot, MAX_PATH);
    BOOST_TEST(env["SystemRoot"] == utf8(systemRoot), result.output);
    BOOST_TEST(env.count("PATH") == 1u, result.output);
    BOOST_TEST(env["TOKENBROKER_PROFILE"] == "p1");
    BOOST_TEST(env["TOKENBROKER_OUTPUTS"] == "C:\\x;C:\\y");
    BOOST_TEST(result.output.find("must-not-leak") == std::string::npos, result.output);
    // Nothing beyond what HookProcess.h lists, except the WINE* variables
    // wine itself puts into every process it starts.
    const std::set<std::string> allowed = {"PATH", "PATHEXT", "SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "COMSPEC", "TEMP",
                                           "TMP", "USERPROFILE", "TOKENBROKER_PROFILE", "TOKENBROKER_OUTPUTS"};
    for (const auto& [name, value] : env)
    {
        std::string upper = name;
        std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
        BOOST_TEST((allowed.count(upper) == 1u || upper.rfind("WINE", 0) == 0), name << " reached the hook");
    }
}

BOOST_AUTO_TEST_CASE(a_hook_that_times_out_is_killed_together_with_the_grandchild_it_started)
{
    TempDir dir;
    const std::string pidFile = dir.file("grandchild.pid");
    // The time-out only has to outlast starting one process.
    const HookResult result = runHook({hookChild(), "spawn-and-wait", pidFile}, kNoExtra, 5s);
    BOOST_TEST_REQUIRE(result.started, result.error);
    BOOST_TEST(result.timedOut);
    BOOST_TEST(result.output == "started\n");
    const std::string pid = firstLine(pidFile);
    BOOST_TEST_REQUIRE(!pid.empty(), "the hook did not start its grandchild before the time-out");
    BOOST_TEST(endsWithin(static_cast<DWORD>(std::stoul(pid)), 10s), "the grandchild " << pid << " still runs");
}

BOOST_AUTO_TEST_CASE(terminateRunningHooks_kills_a_running_hook_and_its_grandchild)
{
    TempDir dir;
    const std::string pidFile = dir.file("grandchild.pid");
    HookResult result;
    std::thread hook([&] { result = runHook({hookChild(), "spawn-and-wait", pidFile}, kNoExtra, 600s); });
    const std::string pid = waitForFile(pidFile, 60s);
    terminateRunningHooks();
    hook.join();
    BOOST_TEST_REQUIRE(!pid.empty(), "the hook never started its grandchild");
    BOOST_TEST(result.started);
    BOOST_TEST(!result.timedOut);
    BOOST_TEST(endsWithin(static_cast<DWORD>(std::stoul(pid)), 10s), "the grandchild " << pid << " still runs");
}

BOOST_AUTO_TEST_CASE(what_a_hook_leaves_running_after_it_exits_by_itself_stays_as_on_linux)
{
    TempDir dir;
    const std::string pidFile = dir.file("grandchild.pid");
    const HookResult result = runHook({hookChild(), "spawn-and-exit", pidFile}, kNoExtra, 60s);
    BOOST_TEST_REQUIRE(result.started, result.error);
    BOOST_TEST(result.exitStatus == 0);
    const std::string pid = firstLine(pidFile);
    BOOST_TEST_REQUIRE(!pid.empty());
    const DWORD grandchild = static_cast<DWORD>(std::stoul(pid));
    // Still there after the hook's job handle is gone (it waits forever, so
    // "alive" is a handle that is not signalled).
    HANDLE process = ::OpenProcess(SYNCHRONIZE | PROCESS_TERMINATE, FALSE, grandchild);
    BOOST_TEST_REQUIRE(process != nullptr, "the grandchild " << pid << " was killed with the hook");
    BOOST_TEST(::WaitForSingleObject(process, 0) == static_cast<DWORD>(WAIT_TIMEOUT));
    ::TerminateProcess(process, 1);
    ::CloseHandle(process);
}
