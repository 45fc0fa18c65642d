#include "ChildProcess.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace TokenBroker::Test {

static_assert(ChildProcess::killedStatus == 128 + SIGKILL);

namespace {

std::vector<std::string> buildEnvironment(const ChildProcess::Options& options)
{
    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e)
    {
        std::string entry(*e);
        auto eq = entry.find('=');
        if (eq != std::string::npos)
            env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& name : options.unsetEnv)
        env.erase(name);
    // A test runner that systemd started must not make its children talk
    // to systemd or write in journald's format; a test sets them itself.
    for (const char* name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM"})
        env.erase(name);
    for (const auto& [name, value] : options.setEnv)
        env[name] = value;
    std::vector<std::string> result;
    for (const auto& [name, value] : env)
        result.push_back(name + "=" + value);
    return result;
}

} // namespace

void ChildProcess::start(const std::string& executable, const Options& options, const std::string& stdinPathOrEmpty)
{
    const std::string stdinPath = stdinPathOrEmpty.empty() ? "/dev/null" : stdinPathOrEmpty;
    std::vector<std::string> argStrings{executable};
    argStrings.insert(argStrings.end(), options.args.begin(), options.args.end());
    std::vector<std::string> envStrings = buildEnvironment(options);
    std::string outPath = _dir.file("stdout"), errPath = _dir.file("stderr");
    if (options.stderrIsJournal)
    {
        // Made now so that its device and inode are known; the child's
        // O_TRUNC open keeps them.
        const int fd = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        struct stat st;
        if (fd < 0 || ::fstat(fd, &st) != 0)
            throw std::runtime_error("cannot create " + errPath + ": " + std::strerror(errno));
        ::close(fd);
        envStrings.push_back("JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino));
    }
    std::vector<char*> argv, envp;
    for (auto& a : argStrings)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : envStrings)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    _pid = ::fork();
    if (_pid < 0)
        throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (_pid == 0)
    {
        int in = ::open(stdinPath.c_str(), O_RDONLY);
        int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0)
            ::_exit(126);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (!options.workingDirectory.empty() && ::chdir(options.workingDirectory.c_str()) != 0)
            ::_exit(126);
        ::execve(executable.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
}

void ChildProcess::releaseHandle()
{
}

std::string ChildProcess::fromTextMode(std::string output)
{
    return output;
}

namespace {

void sendSignal(ChildProcess& child, int sig)
{
    if (child.running())
        ::kill(static_cast<pid_t>(child.pid()), sig);
}

} // namespace

void ChildProcess::requestStop()
{
    sendSignal(*this, SIGTERM);
}

void ChildProcess::interrupt()
{
    sendSignal(*this, SIGINT);
}

void ChildProcess::reload()
{
    sendSignal(*this, SIGHUP);
}

void ChildProcess::kill()
{
    sendSignal(*this, SIGKILL);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!_status)
    {
        int raw = 0;
        pid_t r = ::waitpid(static_cast<pid_t>(_pid), &raw, WNOHANG);
        if (r == _pid)
            _status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
        else if (r < 0 && errno != EINTR)
            _status = -1;
        else if (std::chrono::steady_clock::now() > deadline)
            return std::nullopt;
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return _status;
}

bool hasReloadSignal()
{
    return true;
}

bool processExists(ProcessId pid)
{
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

void requestStop(ProcessId pid)
{
    ::kill(static_cast<pid_t>(pid), SIGTERM);
}

} // namespace TokenBroker::Test
