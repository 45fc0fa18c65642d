#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace TokenBroker::Test {

/// A real child process for end-to-end tests. Its stdout and stderr go to
/// files in a private directory so tests can read them at any time; the
/// process is killed (SIGKILL) if still running when the object dies.
class ChildProcess
{
public:
    struct Options
    {
        std::vector<std::string> args;                 ///< argv[1..]
        std::map<std::string, std::string> setEnv;     ///< added/overridden variables
        std::vector<std::string> unsetEnv;             ///< removed variables
        std::string workingDirectory;                  ///< empty = inherit
        std::optional<std::string> stdinText;          ///< fed then closed; default /dev/null
    };

    ChildProcess(const std::string& executable, Options options);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return _pid; }

    /// Everything the process wrote so far.
    std::string out() const;
    std::string err() const;

    /// Waits until stdout (or stderr) contains `text`; false on timeout or exit.
    bool waitForOutput(const std::string& text, std::chrono::milliseconds timeout, bool onStderr = false);

    /// Sends a signal.
    void signal(int sig);

    /// Waits for exit; returns the exit status (128+N when killed by signal N),
    /// or nothing on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);

    bool running();

private:
    std::string _dir;
    pid_t _pid = -1;
    std::optional<int> _status;
};

/// Runs a command to completion (killed after `timeout`) and returns it.
struct RunResult
{
    int status = -1;
    std::string out;
    std::string err;
};
RunResult run(const std::string& executable, ChildProcess::Options options,
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

} // namespace TokenBroker::Test
