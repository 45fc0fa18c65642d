#pragma once

#include "TempDir.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace TokenBroker::Test {

/// A process id as the OS and the process itself print it (POSIX pid_t,
/// Windows process id).
using ProcessId = long;

/// A real child process for end-to-end tests. Its stdout and stderr go to
/// files in a private directory so tests can read them at any time; the
/// process is killed if still running when the object dies.
///
/// Stopping is named by intent, each mapped to what the platform's service
/// managers do (ChildProcess_posix.cpp, ChildProcess_win32.cpp).
class ChildProcess
{
public:
    struct Options
    {
        std::vector<std::string> args;                 ///< argv[1..]
        std::map<std::string, std::string> setEnv;     ///< added/overridden variables
        std::vector<std::string> unsetEnv;             ///< removed variables
        std::string workingDirectory;                  ///< empty = inherit
        std::optional<std::string> stdinText;          ///< fed then closed; default the null device
        /// POSIX: JOURNAL_STREAM names the process's stderr, as systemd
        /// sets it when stderr is connected to journald.
        bool stderrIsJournal = false;
    };

    /// The exit status kill() leaves: 128 + SIGKILL on POSIX, and the same
    /// number as the exit code TerminateProcess gives on Windows.
    static constexpr int killedStatus = 128 + 9;

    ChildProcess(const std::string& executable, Options options);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    ProcessId pid() const { return _pid; }

    /// Everything the process wrote so far, with the text-mode line ends
    /// of Windows ("\r\n") read as "\n".
    std::string out() const;
    std::string err() const;

    /// Waits until stdout (or stderr) contains `text`; false on timeout or exit.
    bool waitForOutput(const std::string& text, std::chrono::milliseconds timeout, bool onStderr = false);

    /// Asks for an orderly stop: SIGTERM on POSIX; on Windows the
    /// termination event POCO's ServerApplication waits on.
    void requestStop();
    /// The interactive stop (Ctrl-C): SIGINT on POSIX; on Windows a
    /// CTRL_BREAK_EVENT to the child's own process group.
    void interrupt();
    /// Asks for a configuration reload (SIGHUP). Only where
    /// hasReloadSignal(); elsewhere throws std::logic_error.
    void reload();
    /// Ends the process at once, without cleanup (SIGKILL, TerminateProcess):
    /// wait() then answers killedStatus.
    void kill();

    /// Waits for exit; returns the exit status (128+N when killed by signal N),
    /// or nothing on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);

    bool running();

private:
    void start(const std::string& executable, const Options& options, const std::string& stdinPath);
    void releaseHandle();
    static std::string fromTextMode(std::string output);

    TempDir _dir;
    ProcessId _pid = -1;
    void* _handle = nullptr;  ///< the Windows process handle; unused on POSIX
    std::optional<int> _status;
};

/// True where a running process can be told to reload by a signal (POSIX
/// SIGHUP); Windows has none yet, its daemon reloads through the admin endpoint.
bool hasReloadSignal();

/// True while a process with that id exists (any process, not only children).
bool processExists(ProcessId pid);

/// requestStop() for a process that is not our child (e.g. from a pidfile).
void requestStop(ProcessId pid);

/// Runs a command to completion (killed after `timeout`) and returns it.
struct RunResult
{
    int status = -1;
    std::string out;
    std::string err;
};
RunResult run(const std::string& executable, ChildProcess::Options options,
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// `program ARGS` to completion as user `uid` (group `gid`) with exactly
/// the supplementary `groups`, through setpriv (POSIX, as root), without
/// the caller's TOKENBROKER_CONFIG.
RunResult runAs(unsigned uid, unsigned gid, const std::vector<unsigned>& groups, const std::string& program,
                const std::vector<std::string>& args);

} // namespace TokenBroker::Test
