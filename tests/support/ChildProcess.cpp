#include "ChildProcess.h"

#include <Poco/File.h>

#include <thread>

namespace TokenBroker::Test {

ChildProcess::ChildProcess(const std::string& executable, Options options)
{
    std::string stdinPath;  // empty: the null device
    if (options.stdinText)
    {
        stdinPath = _dir.file("stdin");
        writeFile(stdinPath, *options.stdinText, 0600);
    }
    start(executable, options, stdinPath);
}

ChildProcess::~ChildProcess()
{
    if (running())
    {
        kill();
        wait(std::chrono::seconds(10));
    }
    releaseHandle();
}

namespace {

/// The child creates its output files when it starts: until then, empty.
std::string readOutput(const std::string& path)
{
    return Poco::File(path).exists() ? readFile(path) : std::string();
}

} // namespace

std::string ChildProcess::out() const
{
    return fromTextMode(readOutput(_dir.file("stdout")));
}

std::string ChildProcess::err() const
{
    return fromTextMode(readOutput(_dir.file("stderr")));
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
        child.kill();
        status = child.wait(std::chrono::seconds(10));
    }
    result.status = status.value_or(-1);
    result.out = child.out();
    result.err = child.err();
    return result;
}

RunResult runAs(unsigned uid, unsigned gid, const std::vector<unsigned>& groups, const std::string& program,
                const std::vector<std::string>& args)
{
    ChildProcess::Options options;
    options.args = {"--reuid=" + std::to_string(uid), "--regid=" + std::to_string(gid)};
    if (groups.empty())
        options.args.push_back("--clear-groups");
    else
    {
        std::string list;
        for (unsigned group : groups)
            list += (list.empty() ? "" : ",") + std::to_string(group);
        options.args.push_back("--groups=" + list);
    }
    options.args.push_back(program);
    options.args.insert(options.args.end(), args.begin(), args.end());
    options.unsetEnv = {"TOKENBROKER_CONFIG"};
    return run("/usr/bin/setpriv", options);
}

} // namespace TokenBroker::Test
