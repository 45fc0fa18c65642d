#include "ChildProcess.h"
#include "TempDir.h"

#include <Poco/File.h>
#include <Poco/Path.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace TokenBroker::Test {

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
    for (const auto& [name, value] : options.setEnv)
        env[name] = value;
    std::vector<std::string> result;
    for (const auto& [name, value] : env)
        result.push_back(name + "=" + value);
    return result;
}

} // namespace

ChildProcess::ChildProcess(const std::string& executable, Options options)
{
    std::string pattern = Poco::Path::temp() + "tokenbroker-child-XXXXXX";
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    _dir = pattern;
    std::string stdinPath = "/dev/null";
    if (options.stdinText)
    {
        stdinPath = _dir + "/stdin";
        writeFile(stdinPath, *options.stdinText, 0600);
    }

    std::vector<std::string> argStrings{executable};
    argStrings.insert(argStrings.end(), options.args.begin(), options.args.end());
    std::vector<std::string> envStrings = buildEnvironment(options);
    std::vector<char*> argv, envp;
    for (auto& a : argStrings)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : envStrings)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string outPath = _dir + "/stdout", errPath = _dir + "/stderr";

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

ChildProcess::~ChildProcess()
{
    if (running())
    {
        ::kill(_pid, SIGKILL);
        wait(std::chrono::seconds(10));
    }
    try
    {
        Poco::File(_dir).remove(true);
    }
    catch (...)
    {
    }
}

namespace {

/// The child creates its output files right after fork: until then, empty.
std::string readOutput(const std::string& path)
{
    return Poco::File(path).exists() ? readFile(path) : std::string();
}

} // namespace

std::string ChildProcess::out() const
{
    return readOutput(_dir + "/stdout");
}

std::string ChildProcess::err() const
{
    return readOutput(_dir + "/stderr");
}

bool ChildProcess::waitForOutput(const std::string& text, std::chrono::milliseconds timeout, bool onStderr)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        if ((onStderr ? err() : out()).find(text) != std::string::npos)
            return true;
        if (!running() || std::chrono::steady_clock::now() > deadline)
            return (onStderr ? err() : out()).find(text) != std::string::npos;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void ChildProcess::signal(int sig)
{
    if (running())
        ::kill(_pid, sig);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!_status)
    {
        int raw = 0;
        pid_t r = ::waitpid(_pid, &raw, WNOHANG);
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

bool ChildProcess::running()
{
    return !wait(std::chrono::milliseconds(0)).has_value();
}

RunResult run(const std::string& executable, ChildProcess::Options options, std::chrono::milliseconds timeout)
{
    ChildProcess child(executable, std::move(options));
    RunResult result;
    auto status = child.wait(timeout);
    if (!status)
    {
        child.signal(SIGKILL);
        status = child.wait(std::chrono::seconds(10));
    }
    result.status = status.value_or(-1);
    result.out = child.out();
    result.err = child.err();
    return result;
}

} // namespace TokenBroker::Test
