#include "HookProcess.h"

#include <Poco/UnicodeConverter.h>

#include <windows.h>

namespace TokenBroker {

namespace {

std::wstring quote(const std::string& arg)
{
    std::wstring wide;
    Poco::UnicodeConverter::convert(arg, wide);
    if (!wide.empty() && wide.find_first_of(L" \t\"") == std::wstring::npos)
        return wide;
    std::wstring quoted = L"\"";
    for (wchar_t c : wide)
        quoted += c == L'"' ? std::wstring(L"\\\"") : std::wstring(1, c);
    return quoted + L"\"";
}

} // namespace

// Output is not captured on Windows; the command's exit status and time-out
// are (see README, "Windows notes").
HookResult runHook(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment,
                   std::chrono::milliseconds timeout)
{
    HookResult result;
    if (argv.empty())
    {
        result.error = "no command";
        return result;
    }
    std::wstring commandLine;
    for (const auto& arg : argv)
        commandLine += (commandLine.empty() ? L"" : L" ") + quote(arg);
    const std::map<std::string, std::string> env = hookEnvironment({"SystemRoot", "PATH", "TEMP", "TMP"}, environment);
    std::wstring block;
    for (const auto& [name, value] : env)
    {
        std::wstring entry;
        Poco::UnicodeConverter::convert(name + "=" + value, entry);
        block += entry + L'\0';
    }
    block += L'\0';
    STARTUPINFOW startup = {};
    startup.cb = sizeof startup;
    PROCESS_INFORMATION process = {};
    if (!::CreateProcessW(nullptr, commandLine.data(), nullptr, nullptr, FALSE,
                          CREATE_UNICODE_ENVIRONMENT | CREATE_NO_WINDOW, block.data(), nullptr, &startup, &process))
    {
        result.error = "cannot run " + argv[0] + ": Windows error " + std::to_string(::GetLastError());
        return result;
    }
    result.started = true;
    if (::WaitForSingleObject(process.hProcess, static_cast<DWORD>(timeout.count())) == WAIT_TIMEOUT)
    {
        ::TerminateProcess(process.hProcess, 1);
        ::WaitForSingleObject(process.hProcess, 5000);
        result.timedOut = true;
    }
    DWORD code = 1;
    ::GetExitCodeProcess(process.hProcess, &code);
    result.exitStatus = static_cast<int>(code);
    ::CloseHandle(process.hThread);
    ::CloseHandle(process.hProcess);
    return result;
}

// Windows hooks are waited for with their own time-out only.
void terminateRunningHooks()
{
}

} // namespace TokenBroker
