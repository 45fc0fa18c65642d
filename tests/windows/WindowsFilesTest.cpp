// Files on Windows: the extended-length path form every W call gets, files
// and directories at non-ASCII paths longer than MAX_PATH through the real
// platform functions and config loader, and the atomic replace that waits a
// bounded time for a reader holding the target open.

#define BOOST_TEST_MODULE WindowsFilesTest
#include <boost/test/unit_test.hpp>

#include "AtomicFile.h"
#include "AtomicFile_win32.h"
#include "ConfigLoader.h"
#include "ExecutablePath.h"
#include "FileLock.h"
#include "FileSystem.h"
#include "LongPath_win32.h"
#include "StateStore.h"
#include "TempDir.h"

#include <Poco/Environment.h>
#include <Poco/UnicodeConverter.h>

#include <windows.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

using namespace TokenBroker;
using TokenBroker::Test::TempDir;
using Win32::extendedLengthPath;
using Win32::longPath;
using Win32::ordinaryPath;

namespace {

std::wstring wide(const std::string& text)
{
    std::wstring result;
    Poco::UnicodeConverter::convert(text, result);
    return result;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

/// `base` followed by non-ASCII directory names until the path is longer
/// than 300 characters (MAX_PATH is 260), written with forward slashes.
std::string longNonAsciiPath(const std::string& base)
{
    std::string path = base;
    for (int i = 0; wide(path).size() <= 300; ++i)
        path += "/令牌-é-" + std::to_string(i) + "-abcdefghijklmnopqrstuvwxyz";
    return path;
}

/// Names of the entries of `directory` (extended-length access).
std::vector<std::string> entriesOf(const std::string& directory)
{
    std::vector<std::string> names;
    WIN32_FIND_DATAW entry;
    HANDLE find = ::FindFirstFileW((longPath(directory) + L"\\*").c_str(), &entry);
    if (find == INVALID_HANDLE_VALUE)
        return names;
    do
    {
        std::string name;
        Poco::UnicodeConverter::convert(std::wstring(entry.cFileName), name);
        if (name != "." && name != "..")
            names.push_back(name);
    } while (::FindNextFileW(find, &entry));
    ::FindClose(find);
    return names;
}

bool hasTemporaryFile(const std::string& directory)
{
    for (const auto& name : entriesOf(directory))
    {
        if (contains(name, ".tmp."))
            return true;
    }
    return false;
}

/// A reader holding `path` open the way editors and scanners do: sharing
/// read and write but not delete, so the file cannot be replaced meanwhile.
class HeldOpen
{
public:
    explicit HeldOpen(const std::string& path)
        : _handle(::CreateFileW(longPath(path).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr))
    {
        BOOST_TEST_REQUIRE((_handle != INVALID_HANDLE_VALUE), "cannot open " << path);
    }
    ~HeldOpen() { release(); }
    HeldOpen(const HeldOpen&) = delete;
    HeldOpen& operator=(const HeldOpen&) = delete;

    void release()
    {
        if (_handle != INVALID_HANDLE_VALUE)
            ::CloseHandle(_handle);
        _handle = INVALID_HANDLE_VALUE;
    }

private:
    HANDLE _handle;
};

} // namespace

BOOST_AUTO_TEST_SUITE(ExtendedLengthForm)

BOOST_AUTO_TEST_CASE(a_drive_path_gets_the_prefix_and_backslashes)
{
    BOOST_TEST((extendedLengthPath(L"C:\\ProgramData\\tb\\x.json") == L"\\\\?\\C:\\ProgramData\\tb\\x.json"));
    BOOST_TEST((extendedLengthPath(L"c:/ProgramData/tb/x.json") == L"\\\\?\\c:\\ProgramData\\tb\\x.json"));
    BOOST_TEST((extendedLengthPath(L"D:\\") == L"\\\\?\\D:\\"));
}

BOOST_AUTO_TEST_CASE(a_unc_path_gets_the_unc_prefix_without_its_leading_backslashes)
{
    BOOST_TEST((extendedLengthPath(L"\\\\server\\share\\tb\\x") == L"\\\\?\\UNC\\server\\share\\tb\\x"));
    BOOST_TEST((extendedLengthPath(L"//server/share/tb/x") == L"\\\\?\\UNC\\server\\share\\tb\\x"));
}

BOOST_AUTO_TEST_CASE(an_already_extended_or_device_path_is_left_as_it_is)
{
    BOOST_TEST((extendedLengthPath(L"\\\\?\\C:\\tb\\x") == L"\\\\?\\C:\\tb\\x"));
    BOOST_TEST((extendedLengthPath(L"\\\\?\\UNC\\server\\share\\x") == L"\\\\?\\UNC\\server\\share\\x"));
    BOOST_TEST((extendedLengthPath(L"//?/C:/tb/x") == L"\\\\?\\C:\\tb\\x"));
    BOOST_TEST((extendedLengthPath(L"\\\\.\\pipe\\tokenbroker") == L"\\\\.\\pipe\\tokenbroker"));
}

BOOST_AUTO_TEST_CASE(a_path_that_is_not_full_cannot_be_extended)
{
    BOOST_TEST((extendedLengthPath(L"state/x.json") == L"state\\x.json"));
    BOOST_TEST((extendedLengthPath(L"\\tb\\x") == L"\\tb\\x"));
    BOOST_TEST((extendedLengthPath(L"C:tb\\x") == L"C:tb\\x"));
    BOOST_TEST((extendedLengthPath(L"") == L""));
}

BOOST_AUTO_TEST_CASE(paths_far_beyond_max_path_are_not_truncated)
{
    std::wstring path = L"C:";
    while (path.size() < 40000)
        path += L"/令牌é0123456789";
    const std::wstring extended = extendedLengthPath(path);
    BOOST_TEST(extended.size() == path.size() + 4);
    BOOST_TEST((extended.compare(0, 7, L"\\\\?\\C:\\") == 0));
    BOOST_TEST((extended.find(L'/') == std::wstring::npos));
    BOOST_TEST((ordinaryPath(extended) == extendedLengthPath(path).substr(4)));
}

BOOST_AUTO_TEST_CASE(the_ordinary_form_undoes_the_prefix)
{
    BOOST_TEST((ordinaryPath(L"\\\\?\\C:\\tb\\x") == L"C:\\tb\\x"));
    BOOST_TEST((ordinaryPath(L"\\\\?\\UNC\\server\\share\\x") == L"\\\\server\\share\\x"));
    BOOST_TEST((ordinaryPath(L"C:\\tb\\x") == L"C:\\tb\\x"));
    BOOST_TEST((ordinaryPath(L"\\\\.\\pipe\\x") == L"\\\\.\\pipe\\x"));
}

BOOST_AUTO_TEST_CASE(long_path_resolves_relative_paths_and_dot_segments_first)
{
    wchar_t current[32768];
    const DWORD n = ::GetCurrentDirectoryW(32768, current);
    BOOST_TEST_REQUIRE(n > 0u);
    std::wstring cwd(current, n);
    if (cwd.back() != L'\\')
        cwd += L'\\';
    BOOST_TEST((longPath("state/x.json") == L"\\\\?\\" + cwd + L"state\\x.json"));
    BOOST_TEST((longPath("C:/tb/./state/../out/x") == L"\\\\?\\C:\\tb\\out\\x"));
    BOOST_TEST((longPath("\\\\server\\share\\tb\\..\\x") == L"\\\\?\\UNC\\server\\share\\x"));
    const std::string longOne = longNonAsciiPath("C:/tb");
    BOOST_TEST((longPath(longOne) == extendedLengthPath(wide(longOne))));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(LongNonAsciiPaths)

BOOST_AUTO_TEST_CASE(a_token_file_is_written_and_read_back_beyond_max_path)
{
    TempDir dir;
    const std::string outputs = longNonAsciiPath(dir.path()) + "/outputs";
    const std::string token = outputs + "/令牌.token";
    writeFileAtomically(token, "tok-1", FileAttributes{}, true);
    BOOST_TEST(readWholeFile(token) == "tok-1");
    writeFileAtomically(token, "tok-2", FileAttributes{}, true);
    BOOST_TEST(readWholeFile(token) == "tok-2");
    BOOST_TEST(entriesOf(outputs) == std::vector<std::string>{"令牌.token"});
    removeFile(token);
    BOOST_CHECK_THROW(readWholeFile(token), FileMissing);
}

BOOST_AUTO_TEST_CASE(a_state_directory_its_files_and_locks_work_beyond_max_path)
{
    TempDir dir;
    const std::string state = longNonAsciiPath(dir.path()) + "/state-é";
    makePrivateDirectory(state);
    makePrivateDirectory(state);  // an existing directory is fine
    const DWORD attributes = ::GetFileAttributesW(longPath(state).c_str());
    BOOST_TEST_REQUIRE(attributes != INVALID_FILE_ATTRIBUTES);
    BOOST_TEST((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0u);
    writeFileAtomically(state + "/profile.json", "{\"identity\":\"x\"}", FileAttributes{}, false);
    BOOST_TEST(readWholeFile(state + "/profile.json") == "{\"identity\":\"x\"}");
    {
        FileLock lock(state + "/profile.lock");
        BOOST_TEST(FileLock::isHeld(state + "/profile.lock"));
    }
    BOOST_TEST(!FileLock::isHeld(state + "/profile.lock"));
}

BOOST_AUTO_TEST_CASE(the_state_store_keeps_state_and_moves_a_corrupt_file_aside_beyond_max_path)
{
    TempDir dir;
    StateStore store(longNonAsciiPath(dir.path()) + "/state");
    store.savePluginState("p", "id", "{\"refresh\":\"r1\"}");
    BOOST_TEST(store.loadPluginState("p", "id") == "{\"refresh\":\"r1\"}");
    // A killed writer's leftover goes with the next start's first write.
    writeFileAtomically(store.directory() + "/.p.json.tmp.1", "partial", FileAttributes{}, false);
    StateStore restarted(store.directory());
    restarted.savePluginState("p", "id", "{\"refresh\":\"r2\"}");
    BOOST_TEST(entriesOf(store.directory()) == std::vector<std::string>{"p.json"});
    writeFileAtomically(store.pathFor("p"), "not json", FileAttributes{}, false);
    BOOST_TEST(store.loadPluginState("p", "id") == "{}");
    BOOST_TEST(readWholeFile(store.pathFor("p") + ".corrupt") == "not json");
    BOOST_TEST(isDirectory(store.directory()));
    BOOST_TEST(!isDirectory(store.pathFor("p") + ".corrupt"));
}

BOOST_AUTO_TEST_CASE(a_directory_where_a_file_is_is_refused_by_name)
{
    TempDir dir;
    const std::string file = longNonAsciiPath(dir.path()) + "/file";
    writeFileAtomically(file, "x", FileAttributes{}, true);
    BOOST_CHECK_EXCEPTION(makeDirectories(file + "/below"), WriteError, [&](const WriteError& e) {
        return contains(e.what(), file) && contains(e.what(), "not a directory");
    });
}

BOOST_AUTO_TEST_CASE(a_config_file_beyond_max_path_is_loaded_and_resolves_against_its_directory)
{
    TempDir dir;
    const std::string etc = longNonAsciiPath(dir.path()) + "/etc-令牌";
    const std::string path = etc + "/tokenbroker.yaml";
    writeFileAtomically(path,
                        "broker:\n  state_dir: state\nprofiles:\n  p:\n    flow: pat\n"
                        "    outputs: [ { file: ../run/p.token } ]\n",
                        FileAttributes{}, true);
    const Config config = ConfigLoader::loadFile(path);
    // Compared as the W functions see them: the loader answers POCO's
    // native form (backslashes).
    BOOST_TEST((longPath(config.path) == longPath(path)));
    BOOST_TEST((longPath(config.broker.stateDir) == longPath(etc + "/state")));
    BOOST_TEST_REQUIRE(config.profiles.size() == 1u);
    BOOST_TEST((longPath(config.profiles[0].outputs.at(0).path) == longPath(etc + "/../run/p.token")));
}

/// The copy of this executable that the next test starts runs only this
/// case, which reports the directory it finds itself in.
const char* const reportVariable = "TOKENBROKER_TEST_EXECUTABLE_DIRECTORY_REPORT";

BOOST_AUTO_TEST_CASE(the_executable_directory_is_whole_beyond_max_path)
{
    if (Poco::Environment::has(reportVariable))
    {
        writeFileAtomically(Poco::Environment::get(reportVariable), executableDirectory(), FileAttributes{}, false);
        return;
    }
    TempDir dir;
    const std::string home = longNonAsciiPath(dir.path()) + "/bin-令牌";
    makeDirectories(home);
    std::wstring self(32768, L'\0');
    self.resize(::GetModuleFileNameW(nullptr, self.data(), static_cast<DWORD>(self.size())));
    const std::wstring copy = longPath(home + "/probe.exe");
    BOOST_TEST_REQUIRE(::CopyFileW(self.c_str(), copy.c_str(), TRUE) != 0);
    const std::string report = home + "/report.txt";
    Poco::Environment::set(reportVariable, report);
    std::wstring commandLine = L"probe.exe --run_test=LongNonAsciiPaths/the_executable_directory_is_whole_beyond_max_path";
    STARTUPINFOW startup = {};
    startup.cb = sizeof startup;
    PROCESS_INFORMATION process = {};
    // CreateProcessW takes no extended-length name (wine: error 2).
    const BOOL started = ::CreateProcessW(ordinaryPath(copy).c_str(), commandLine.data(), nullptr, nullptr, FALSE, 0, nullptr,
                                          nullptr, &startup, &process);
    const DWORD startError = ::GetLastError();
    ::SetEnvironmentVariableW(wide(reportVariable).c_str(), nullptr);
    if (!started && (startError == ERROR_FILE_NOT_FOUND || startError == ERROR_PATH_NOT_FOUND))
    {
        // Wine's CreateProcessW cannot start an executable beyond MAX_PATH.
        BOOST_TEST_MESSAGE("skipped: this system cannot start an executable beyond MAX_PATH (Windows error "
                           << startError << ")");
        return;
    }
    BOOST_TEST_REQUIRE(started != 0, "cannot start the copy: Windows error " << startError);
    const DWORD waited = ::WaitForSingleObject(process.hProcess, 120000);
    DWORD exitCode = 1;
    ::GetExitCodeProcess(process.hProcess, &exitCode);
    ::CloseHandle(process.hThread);
    ::CloseHandle(process.hProcess);
    BOOST_TEST_REQUIRE(waited == WAIT_OBJECT_0);
    BOOST_TEST(exitCode == 0u);
    const std::string seen = readWholeFile(report);
    BOOST_TEST_MESSAGE("the copy at " << wide(home).size() << " characters found itself in " << seen);
    BOOST_TEST((longPath(seen) == longPath(home)));
    BOOST_TEST(seen.compare(0, 4, "\\\\?\\") != 0, "an ordinary path, not an extended-length one");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ReplaceWhileHeldOpen)

BOOST_AUTO_TEST_CASE(a_reader_that_keeps_the_target_open_fails_the_write_after_the_bound)
{
    TempDir dir;
    const std::string path = dir.file("token");
    writeFileAtomically(path, "old", FileAttributes{}, false);
    HeldOpen reader(path);
    const std::size_t refusedBefore = Win32::refusedReplaceAttempts();
    const auto start = std::chrono::steady_clock::now();
    try
    {
        writeFileAtomically(path, "new", FileAttributes{}, false);
        BOOST_FAIL("replaced a file another process holds open");
    }
    catch (const WriteError& e)
    {
        const std::string message = e.what();
        BOOST_TEST_MESSAGE("refused with: " << message);
        BOOST_TEST(contains(message, "cannot replace " + path));
        // Wine answers access denied (5), Windows a sharing violation (32) or 5.
        BOOST_TEST((contains(message, "another process holds it open (Windows error 32") ||
                    contains(message, "access denied (Windows error 5")));
        BOOST_TEST(contains(message, "still after 2000 ms"));
    }
    // It retried for the whole bound before giving up.
    BOOST_TEST((std::chrono::steady_clock::now() - start >= Win32::replaceRetryBound));
    BOOST_TEST(Win32::refusedReplaceAttempts() - refusedBefore > 1u);
    reader.release();
    BOOST_TEST(readWholeFile(path) == "old");
    BOOST_TEST(!hasTemporaryFile(dir.path()));
}

BOOST_AUTO_TEST_CASE(a_reader_that_lets_go_within_the_bound_lets_the_write_through)
{
    TempDir dir;
    const std::string path = dir.file("token");
    writeFileAtomically(path, "old", FileAttributes{}, false);
    HeldOpen reader(path);
    const std::size_t refusedBefore = Win32::refusedReplaceAttempts();
    auto write = std::async(std::launch::async,
                            [&] { writeFileAtomically(path, "new", FileAttributes{}, false); });
    // Let go once the writer has met the file held (not after some time).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (Win32::refusedReplaceAttempts() == refusedBefore && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    BOOST_TEST_REQUIRE(Win32::refusedReplaceAttempts() > refusedBefore);
    reader.release();
    BOOST_CHECK_NO_THROW(write.get());
    BOOST_TEST(readWholeFile(path) == "new");
    BOOST_TEST(!hasTemporaryFile(dir.path()));
}

BOOST_AUTO_TEST_SUITE_END()
