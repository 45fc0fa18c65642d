#include "HookProcess.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <set>

namespace TokenBroker {

namespace {

constexpr std::size_t maxOutput = 64 * 1024;

std::vector<std::string> cleanEnvironment(const std::map<std::string, std::string>& extra)
{
    std::map<std::string, std::string> env = hookEnvironment({"PATH", "HOME", "LANG", "LC_ALL", "TZ"}, extra);
    if (!env.count("PATH"))
        env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
    std::vector<std::string> entries;
    for (const auto& [name, value] : env)
        entries.push_back(name + "=" + value);
    return entries;
}

/// Process groups of the hooks running now.
std::mutex g_runningMutex;
std::set<pid_t> g_running;

/// `name` as execve needs it: a name without a slash is searched in the
/// PATH of `environment` ("NAME=value" entries); the first executable file
/// wins. Unresolved names are returned as they are, for execve to report.
/// The PATH of `environment` ("NAME=value" entries); empty when it has none.
std::string searchPath(const std::vector<std::string>& environment)
{
    std::string path;
    for (const auto& entry : environment)
    {
        if (entry.rfind("PATH=", 0) == 0)
            path = entry.substr(5);
    }
    return path;
}

std::string findProgram(const std::string& name, const std::vector<std::string>& environment)
{
    if (name.find('/') != std::string::npos)
        return name;
    const std::string path = searchPath(environment);
    std::size_t start = 0;
    while (start <= path.size())
    {
        std::size_t end = path.find(':', start);
        if (end == std::string::npos)
            end = path.size();
        const std::string dir = end > start ? path.substr(start, end - start) : ".";
        const std::string candidate = dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        start = end + 1;
    }
    return name;
}

} // namespace

std::optional<std::string> cannotRunHook(const std::string& program)
{
    // The PATH named is the one searched: the hooks' own.
    const std::vector<std::string> environment = cleanEnvironment({});
    const std::string found = findProgram(program, environment);
    if (found.find('/') == std::string::npos)
        return "'" + program + "' is not an executable file in any directory of PATH (" + searchPath(environment) + ")";
    struct stat st;
    if (::stat(found.c_str(), &st) != 0)
        return found + ": " + std::strerror(errno);
    if (!S_ISREG(st.st_mode))
        return found + " is not a regular file";
    if (::access(found.c_str(), X_OK) != 0)
        return found + " is not executable by this user (" + std::strerror(errno) + ")";
    return std::nullopt;
}

namespace {

int decode(int raw)
{
    return WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
}

} // namespace

HookResult runHook(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment,
                   std::chrono::milliseconds timeout)
{
    HookResult result;
    if (argv.empty())
    {
        result.error = "no command";
        return result;
    }
    std::vector<std::string> args = argv;
    std::vector<std::string> env = cleanEnvironment(environment);
    std::vector<char*> argp, envp;
    for (auto& a : args)
        argp.push_back(a.data());
    argp.push_back(nullptr);
    for (auto& e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    // The program is looked up in the hook's own PATH, before fork (execvpe
    // would do it, but is a GNU extension).
    const std::string program = findProgram(args[0], env);
    // pipe2 (POSIX.1-2024): close-on-exec from the start, so a hook started
    // by another thread at the same moment cannot inherit these ends.
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
    {
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    // Reports an exec failure through the close-on-exec pipe.
    int execFds[2];
    if (::pipe2(execFds, O_CLOEXEC) != 0)
    {
        ::close(pipeFds[0]);
        ::close(pipeFds[1]);
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    // Computed before fork: sysconf need not be async-signal-safe.
    const long openMax = std::min<long>(::sysconf(_SC_OPEN_MAX) > 0 ? ::sysconf(_SC_OPEN_MAX) : 1024, 1L << 16);
    pid_t pid = ::fork();
    if (pid < 0)
    {
        result.error = std::string("fork: ") + std::strerror(errno);
        for (int fd : {pipeFds[0], pipeFds[1], execFds[0], execFds[1]})
            ::close(fd);
        return result;
    }
    if (pid == 0)
    {
        int devNull = ::open("/dev/null", O_RDONLY);
        ::dup2(devNull, 0);
        ::dup2(pipeFds[1], 1);
        ::dup2(pipeFds[1], 2);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::setpgid(0, 0);
        // The hook inherits stdin, stdout and stderr, nothing else: not the
        // admin endpoint's socket nor a TLS connection another thread holds
        // (libraries open descriptors without O_CLOEXEC), whose keeping by
        // a hook's background child would outlive the daemon.
        if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        {
            for (long fd = 3; fd < openMax; ++fd)
                ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
        }
        ::execve(program.c_str(), argp.data(), envp.data());
        int error = errno;
        ssize_t ignored = ::write(execFds[1], &error, sizeof error);
        (void)ignored;
        ::_exit(127);
    }
    ::close(pipeFds[1]);
    ::close(execFds[1]);
    int execError = 0;
    if (::read(execFds[0], &execError, sizeof execError) == sizeof execError)
    {
        ::close(execFds[0]);
        ::close(pipeFds[0]);
        int raw = 0;
        ::waitpid(pid, &raw, 0);
        result.error = "cannot run " + args[0] + ": " + std::strerror(execError);
        return result;
    }
    ::close(execFds[0]);
    result.started = true;
    {
        std::lock_guard<std::mutex> lock(g_runningMutex);
        g_running.insert(pid);
    }

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool open = true;
    int raw = 0;
    bool exited = false;
    while (!exited)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
        {
            // The command and anything it started: it runs in its own group.
            ::kill(-pid, SIGTERM);
            ::usleep(200 * 1000);
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &raw, 0);
            result.timedOut = true;
            exited = true;
            break;
        }
        if (open)
        {
            pollfd fd{pipeFds[0], POLLIN, 0};
            int ready = ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 100)));
            if (ready > 0)
            {
                char buffer[4096];
                ssize_t n = ::read(pipeFds[0], buffer, sizeof buffer);
                if (n > 0 && result.output.size() < maxOutput)
                    result.output.append(buffer, std::min<std::size_t>(static_cast<std::size_t>(n), maxOutput - result.output.size()));
                else if (n == 0)
                    open = false;
            }
        }
        else
        {
            ::usleep(20 * 1000);
        }
        if (::waitpid(pid, &raw, WNOHANG) == pid)
            exited = true;
    }
    // What the command wrote just before it exited.
    pollfd fd{pipeFds[0], POLLIN, 0};
    while (open && result.output.size() < maxOutput && ::poll(&fd, 1, 0) > 0)
    {
        char buffer[4096];
        ssize_t n = ::read(pipeFds[0], buffer, sizeof buffer);
        if (n <= 0)
            break;
        result.output.append(buffer, std::min<std::size_t>(static_cast<std::size_t>(n), maxOutput - result.output.size()));
    }
    ::close(pipeFds[0]);
    {
        std::lock_guard<std::mutex> lock(g_runningMutex);
        g_running.erase(pid);
    }
    result.exitStatus = decode(raw);
    return result;
}

void terminateRunningHooks()
{
    std::lock_guard<std::mutex> lock(g_runningMutex);
    for (pid_t group : g_running)
        ::kill(-group, SIGTERM);
}

} // namespace TokenBroker
