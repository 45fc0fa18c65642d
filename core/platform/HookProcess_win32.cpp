#include "HookProcess.h"

#include "CommandLine_win32.h"
#include "Win32Text_win32.h"

#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cwctype>
#include <mutex>
#include <set>
#include <stdexcept>

namespace TokenBroker {

namespace {

constexpr std::size_t maxOutput = 64 * 1024;

/// Kept from the broker's environment. SystemRoot: Winsock, the crypto API
/// and much else fail to start without it; the others are how Windows
/// programs find programs, the shell and temporary files.
const std::vector<std::string> kInherited = {"PATH",   "PATHEXT", "SystemRoot", "SystemDrive", "windir",
                                             "ComSpec", "TEMP",   "TMP",        "USERPROFILE"};

std::wstring upper(std::wstring text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](wchar_t c) { return std::towupper(c); });
    return text;
}

/// NAME=value entries, NUL-separated and NUL-terminated, sorted by name
/// without regard to case as CreateProcessW expects. (Names cannot collide
/// in case: hookEnvironment's map holds the inherited names as spelled above
/// and TOKENBROKER_* ones.)
std::wstring environmentBlock(const std::map<std::string, std::string>& extra)
{
    std::vector<std::pair<std::wstring, std::wstring>> entries;
    for (const auto& [name, value] : hookEnvironment(kInherited, extra))
        entries.emplace_back(Win32::wide(name), Win32::wide(value));
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return upper(a.first) < upper(b.first); });
    std::wstring block;
    for (const auto& [name, value] : entries)
        block += name + L"=" + value + L'\0';
    return block + L'\0';
}

/// Closes a handle when it goes out of scope.
class Handle
{
public:
    explicit Handle(HANDLE handle = nullptr)
        : _handle(handle == INVALID_HANDLE_VALUE ? nullptr : handle)
    {
    }
    ~Handle() { reset(); }
    Handle(Handle&& other) noexcept
        : _handle(other._handle)
    {
        other._handle = nullptr;
    }
    Handle& operator=(Handle&& other) noexcept
    {
        std::swap(_handle, other._handle);
        return *this;
    }

    HANDLE get() const { return _handle; }
    explicit operator bool() const { return _handle != nullptr; }
    void reset()
    {
        if (_handle)
            ::CloseHandle(_handle);
        _handle = nullptr;
    }

private:
    HANDLE _handle;
};

/// The jobs of the hooks running now.
std::mutex g_runningMutex;
std::set<HANDLE> g_running;

/// Registers a hook's job while it runs, for terminateRunningHooks().
class RunningJob
{
public:
    explicit RunningJob(HANDLE job)
        : _job(job)
    {
        std::lock_guard<std::mutex> lock(g_runningMutex);
        g_running.insert(_job);
    }
    ~RunningJob()
    {
        std::lock_guard<std::mutex> lock(g_runningMutex);
        g_running.erase(_job);
    }

private:
    HANDLE _job;
};

/// A job whose processes all die when its last handle closes — also when
/// the broker itself dies.
Handle makeJob()
{
    Handle job(::CreateJobObjectW(nullptr, nullptr));
    if (!job)
        throw std::runtime_error("cannot create a job object: Windows error " + std::to_string(::GetLastError()));
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits, sizeof limits))
        throw std::runtime_error("cannot set up a job object: Windows error " + std::to_string(::GetLastError()));
    return job;
}

/// After a hook exited by itself, what it left running stays running, as
/// on Linux (a hook may restart a program): the job stops killing on close.
void releaseJob(HANDLE job)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
    ::SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
}

/// The hook's stdout and stderr: a named pipe read with overlapped I/O, so
/// one wait covers "the hook wrote", "the hook exited" and the deadline.
/// An anonymous pipe cannot be read that way.
struct OutputPipe
{
    Handle read;
    Handle write;   ///< inheritable, for the child only
};

OutputPipe makeOutputPipe()
{
    static std::atomic<unsigned> counter{0};
    const std::wstring name = L"\\\\.\\pipe\\tokenbroker-hook-" + std::to_wstring(::GetCurrentProcessId()) + L"-" +
                              std::to_wstring(counter++);
    OutputPipe pipe;
    pipe.read = Handle(::CreateNamedPipeW(name.c_str(), PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                                          PIPE_TYPE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1, 0, 64 * 1024, 0,
                                          nullptr));
    if (!pipe.read)
        throw std::runtime_error("cannot create a pipe: Windows error " + std::to_string(::GetLastError()));
    SECURITY_ATTRIBUTES inheritable = {sizeof inheritable, nullptr, TRUE};
    pipe.write = Handle(::CreateFileW(name.c_str(), GENERIC_WRITE, 0, &inheritable, OPEN_EXISTING, 0, nullptr));
    if (!pipe.write)
        throw std::runtime_error("cannot open a pipe: Windows error " + std::to_string(::GetLastError()));
    return pipe;
}

/// Collects what arrives on the pipe, at most maxOutput bytes; reading goes
/// on past that so the hook never blocks on a full pipe.
class OutputReader
{
public:
    OutputReader(HANDLE pipe, std::string& output)
        : _pipe(pipe)
        , _event(::CreateEventW(nullptr, TRUE, FALSE, nullptr))
        , _output(output)
    {
        if (!_event)
            throw std::runtime_error("cannot create an event: Windows error " + std::to_string(::GetLastError()));
        start();
    }

    ~OutputReader()
    {
        if (_pending)
        {
            ::CancelIoEx(_pipe, &_overlapped);
            DWORD ignored = 0;
            ::GetOverlappedResult(_pipe, &_overlapped, &ignored, TRUE);
        }
    }

    /// Signalled when a read completed; nullptr once the pipe is closed.
    HANDLE event() const { return _pending ? _event.get() : nullptr; }

    /// Takes a completed read and starts the next one; with `wait`, waits
    /// for the pending one. False when nothing (more) is there now.
    bool collect(bool wait)
    {
        if (!_pending)
            return false;
        DWORD n = 0;
        if (!::GetOverlappedResult(_pipe, &_overlapped, &n, wait ? TRUE : FALSE))
        {
            if (::GetLastError() == ERROR_IO_INCOMPLETE)
                return false;
            _pending = false;   // broken pipe: every writer is gone
            return false;
        }
        append(n);
        start();
        return true;
    }

private:
    void start()
    {
        // A read that completes at once still signals the event, so the
        // caller's wait takes both cases alike.
        _overlapped = {};
        _overlapped.hEvent = _event.get();
        _pending = ::ReadFile(_pipe, _buffer, sizeof _buffer, nullptr, &_overlapped) ||
                   ::GetLastError() == ERROR_IO_PENDING;
    }

    void append(DWORD n)
    {
        if (_output.size() < maxOutput)
            _output.append(_buffer, std::min<std::size_t>(n, maxOutput - _output.size()));
    }

    HANDLE _pipe;
    Handle _event;
    std::string& _output;
    OVERLAPPED _overlapped = {};
    char _buffer[4096];
    bool _pending = false;
};

/// Starts the command suspended in `job` with the given standard handles
/// (and no other inherited handle), then lets it run.
PROCESS_INFORMATION startInJob(const std::vector<std::string>& argv, std::wstring environment, HANDLE job,
                               HANDLE input, HANDLE output)
{
    std::wstring line = Win32::commandLine(argv);
    HANDLE inherited[] = {input, output};
    SIZE_T size = 0;
    ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
    std::vector<char> attributeBuffer(size);
    auto* attributes = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attributeBuffer.data());
    if (!::InitializeProcThreadAttributeList(attributes, 1, 0, &size) ||
        !::UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited, sizeof inherited,
                                     nullptr, nullptr))
        throw std::runtime_error("cannot prepare the process attributes: Windows error " + std::to_string(::GetLastError()));
    STARTUPINFOEXW startup = {};
    startup.StartupInfo.cb = sizeof startup;
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = input;
    startup.StartupInfo.hStdOutput = output;
    startup.StartupInfo.hStdError = output;
    startup.lpAttributeList = attributes;
    PROCESS_INFORMATION process = {};
    // Suspended until it is in the job, so not even its first child escapes.
    const BOOL created = ::CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE,
                                          CREATE_SUSPENDED | CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT |
                                              EXTENDED_STARTUPINFO_PRESENT,
                                          environment.data(), nullptr, &startup.StartupInfo, &process);
    const DWORD error = ::GetLastError();
    ::DeleteProcThreadAttributeList(attributes);
    if (!created)
        throw std::runtime_error("cannot run " + argv[0] + ": Windows error " + std::to_string(error));
    if (!::AssignProcessToJobObject(job, process.hProcess))
    {
        const DWORD assignError = ::GetLastError();
        ::TerminateProcess(process.hProcess, 1);
        ::CloseHandle(process.hThread);
        ::CloseHandle(process.hProcess);
        throw std::runtime_error("cannot run " + argv[0] + " in a job object: Windows error " +
                                 std::to_string(assignError));
    }
    ::ResumeThread(process.hThread);
    ::CloseHandle(process.hThread);
    return process;
}

/// Waits for the hook to exit, collecting its output, until the deadline;
/// true if it exited by itself.
bool waitForExit(HANDLE process, OutputReader& reader, std::chrono::steady_clock::time_point deadline)
{
    for (;;)
    {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        HANDLE handles[] = {process, reader.event()};
        const DWORD count = handles[1] ? 2 : 1;
        const DWORD woke = ::WaitForMultipleObjects(count, handles, FALSE, static_cast<DWORD>(left.count()));
        if (woke == WAIT_OBJECT_0)
            return true;
        if (woke == WAIT_OBJECT_0 + 1)
            reader.collect(false);
        else if (woke == WAIT_FAILED)
            return ::WaitForSingleObject(process, static_cast<DWORD>(left.count())) == WAIT_OBJECT_0;
    }
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
    try
    {
        Handle job = makeJob();
        OutputPipe pipe = makeOutputPipe();
        SECURITY_ATTRIBUTES inheritable = {sizeof inheritable, nullptr, TRUE};
        Handle input(::CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inheritable, OPEN_EXISTING,
                                   0, nullptr));
        if (!input)
            throw std::runtime_error("cannot open NUL: Windows error " + std::to_string(::GetLastError()));
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        RunningJob running(job.get());
        Handle process(startInJob(argv, environmentBlock(environment), job.get(), input.get(), pipe.write.get()).hProcess);
        result.started = true;
        // Only the child (and what it starts) holds the write end now.
        pipe.write.reset();
        OutputReader reader(pipe.read.get(), result.output);
        if (waitForExit(process.get(), reader, deadline))
        {
            releaseJob(job.get());
        }
        else
        {
            // The command and everything it started.
            ::TerminateJobObject(job.get(), 1);
            ::WaitForSingleObject(process.get(), 5000);
            result.timedOut = true;
        }
        // What the command wrote just before it exited; a process it left
        // running may hold the pipe open, so only what is there now.
        while (reader.collect(false))
        {
        }
        DWORD code = 1;
        ::GetExitCodeProcess(process.get(), &code);
        result.exitStatus = static_cast<int>(code);
    }
    catch (const std::exception& e)
    {
        result.error = e.what();
    }
    return result;
}

void terminateRunningHooks()
{
    std::lock_guard<std::mutex> lock(g_runningMutex);
    for (HANDLE job : g_running)
        ::TerminateJobObject(job, 1);
}

std::optional<std::string> cannotRunHook(const std::string& program)
{
    // Close to CreateProcessW's own search for a command line's first word:
    // the folders of the system and PATH, ".exe" added to a bare name.
    const std::wstring name = Win32::wide(program);
    if (::SearchPathW(nullptr, name.c_str(), L".exe", 0, nullptr, nullptr) == 0)
        return "'" + program + "' is not a program found by that name or in PATH";
    return std::nullopt;
}

} // namespace TokenBroker
