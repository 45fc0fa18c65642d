#include "ChildProcess.h"
#include "CommandLine_win32.h"
#include "TestPlatform.h"

#include <Poco/Process.h>
#include <Poco/UnicodeConverter.h>

#include <windows.h>

#include <cwctype>
#include <mutex>
#include <stdexcept>

namespace TokenBroker::Test {

namespace {

std::wstring wide(const std::string& text)
{
    std::wstring result;
    Poco::UnicodeConverter::convert(text, result);
    return result;
}

std::runtime_error lastError(const std::string& what)
{
    return std::runtime_error(what + ": Windows error " + std::to_string(::GetLastError()));
}

/// Variable names compare case-insensitively on Windows, and the block is
/// sorted that way.
struct NameLess
{
    bool operator()(const std::wstring& a, const std::wstring& b) const
    {
        return ::CompareStringOrdinal(a.c_str(), static_cast<int>(a.size()), b.c_str(), static_cast<int>(b.size()),
                                      TRUE) == CSTR_LESS_THAN;
    }
};

/// The current environment + setEnv - unsetEnv, as a CreateProcessW block.
std::wstring buildEnvironment(const ChildProcess::Options& options)
{
    std::map<std::wstring, std::wstring, NameLess> env;
    wchar_t* current = ::GetEnvironmentStringsW();
    for (const wchar_t* entry = current; *entry; entry += std::wcslen(entry) + 1)
    {
        std::wstring text(entry);
        // Names may start with '=' (the per-drive current directories).
        auto eq = text.find(L'=', 1);
        if (eq != std::wstring::npos)
            env[text.substr(0, eq)] = text.substr(eq + 1);
    }
    ::FreeEnvironmentStringsW(current);
    for (const auto& name : options.unsetEnv)
        env.erase(wide(name));
    for (const auto& [name, value] : options.setEnv)
        env[wide(name)] = wide(value);
    std::wstring block;
    for (const auto& [name, value] : env)
        block += name + L"=" + value + L'\0';
    return block + L'\0';
}

/// An inheritable handle for one of the child's standard streams.
HANDLE openInheritable(const std::string& path, bool write)
{
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    HANDLE handle = ::CreateFileW(wide(path).c_str(), write ? GENERIC_WRITE : GENERIC_READ,
                                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inherit,
                                  write ? CREATE_ALWAYS : OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (handle == INVALID_HANDLE_VALUE)
        throw lastError("cannot open " + path);
    return handle;
}

/// Inheritable handles live from their creation until CreateProcessW has
/// copied them: a child started meanwhile by another thread of the test
/// would inherit them too (and keep our files open).
std::mutex& inheritanceMutex()
{
    static std::mutex mutex;
    return mutex;
}

} // namespace

void ChildProcess::start(const std::string& executable, const Options& options, const std::string& stdinPath)
{
    std::vector<std::string> argv{executable};
    argv.insert(argv.end(), options.args.begin(), options.args.end());
    std::wstring commandLine = Win32::commandLine(argv);  // the broker's own quoting, as hooks get it
    std::wstring environment = buildEnvironment(options);
    std::wstring directory = wide(options.workingDirectory);

    std::lock_guard<std::mutex> lock(inheritanceMutex());
    HANDLE in = openInheritable(stdinPath.empty() ? "NUL" : stdinPath, false);
    HANDLE out = openInheritable(_dir.file("stdout"), true);
    HANDLE err = openInheritable(_dir.file("stderr"), true);
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = in;
    startup.hStdOutput = out;
    startup.hStdError = err;
    PROCESS_INFORMATION process{};
    // Its own process group, so that interrupt() reaches it alone.
    // Under wine, CreateProcessW now and then fails with ERROR_INTERNAL_ERROR
    // (once in a full suite run; the same test passes alone): a fault of the
    // emulation, not of the program the test starts, so the start is tried
    // again, at most three times in all.
    BOOL started = FALSE;
    DWORD error = ERROR_INTERNAL_ERROR;
    for (int attempt = 0; attempt < 3 && !started && error == ERROR_INTERNAL_ERROR; ++attempt)
    {
        started = ::CreateProcessW(wide(executable).c_str(), commandLine.data(), nullptr, nullptr, TRUE,
                                   CREATE_UNICODE_ENVIRONMENT | CREATE_NEW_PROCESS_GROUP, environment.data(),
                                   directory.empty() ? nullptr : directory.c_str(), &startup, &process);
        error = started ? ERROR_SUCCESS : ::GetLastError();
    }
    ::CloseHandle(in);
    ::CloseHandle(out);
    ::CloseHandle(err);
    if (!started)
        throw std::runtime_error("cannot start " + executable + ": Windows error " + std::to_string(error));
    ::CloseHandle(process.hThread);
    _handle = process.hProcess;
    _pid = static_cast<ProcessId>(process.dwProcessId);
}

void ChildProcess::releaseHandle()
{
    if (_handle)
        ::CloseHandle(_handle);
    _handle = nullptr;
}

std::string ChildProcess::fromTextMode(std::string output)
{
    return fromPlatformLineEnds(std::move(output));
}

void ChildProcess::requestStop()
{
    if (running())
        Poco::Process::requestTermination(static_cast<Poco::Process::PID>(_pid));
}

void ChildProcess::interrupt()
{
    if (running() && !::GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, static_cast<DWORD>(_pid)))
        throw lastError("cannot send CTRL_BREAK_EVENT to process " + std::to_string(_pid));
}

void ChildProcess::reload()
{
    throw std::logic_error("Windows has no reload signal (see hasReloadSignal())");
}

void ChildProcess::kill()
{
    if (running())
        ::TerminateProcess(_handle, killedStatus);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout)
{
    if (_status)
        return _status;
    if (::WaitForSingleObject(_handle, static_cast<DWORD>(timeout.count())) != WAIT_OBJECT_0)
        return std::nullopt;
    DWORD code = 0;
    _status = ::GetExitCodeProcess(_handle, &code) ? static_cast<int>(code) : -1;
    return _status;
}

bool hasReloadSignal()
{
    return false;
}

bool processExists(ProcessId pid)
{
    HANDLE process = ::OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(pid));
    if (!process)
        return ::GetLastError() == ERROR_ACCESS_DENIED;
    const bool exists = ::WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
    ::CloseHandle(process);
    return exists;
}

void requestStop(ProcessId pid)
{
    Poco::Process::requestTermination(static_cast<Poco::Process::PID>(pid));
}

} // namespace TokenBroker::Test
