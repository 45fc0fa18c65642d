// A hook for HookProcessTest: does one observable thing per mode and says
// what it saw on stdout (raw UTF-8, "\n" line ends, no CRT translation).
//   args ...               each element of CommandLineToArgvW(GetCommandLineW()), as [element]
//   env                    each NAME=value of its environment
//   say OUT ERR            OUT on stdout, ERR on stderr
//   flood BYTES            that many 'x' on stdout
//   exit CODE              exits with CODE
//   spawn-and-wait PIDFILE starts a copy of itself that waits forever, writes
//                          that grandchild's pid to PIDFILE, then waits forever
//   spawn-and-exit PIDFILE the same, then exits 0
//   wait                   waits forever

#include <windows.h>

#include <shellapi.h>

#include <string>

namespace {

void put(HANDLE out, const std::wstring& text)
{
    const int size = ::WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0, nullptr, nullptr);
    std::string utf8(static_cast<std::size_t>(size), '\0');
    ::WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), utf8.data(), size, nullptr, nullptr);
    DWORD written = 0;
    ::WriteFile(out, utf8.data(), static_cast<DWORD>(utf8.size()), &written, nullptr);
}

void say(const std::wstring& text)
{
    put(::GetStdHandle(STD_OUTPUT_HANDLE), text);
}

int spawn(const std::wstring& pidFile, bool wait)
{
    wchar_t self[32768];
    ::GetModuleFileNameW(nullptr, self, 32768);
    std::wstring line = L"\"" + std::wstring(self) + L"\" wait";
    STARTUPINFOW startup = {};
    startup.cb = sizeof startup;
    PROCESS_INFORMATION process = {};
    if (!::CreateProcessW(self, line.data(), nullptr, nullptr, FALSE, CREATE_NO_WINDOW, nullptr, nullptr, &startup, &process))
        return 90;
    // Written whole, then renamed: the test never reads half a pid.
    const std::wstring temporary = pidFile + L".tmp";
    HANDLE file = ::CreateFileW(temporary.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr);
    const std::string pid = std::to_string(process.dwProcessId);
    DWORD written = 0;
    ::WriteFile(file, pid.data(), static_cast<DWORD>(pid.size()), &written, nullptr);
    ::CloseHandle(file);
    ::MoveFileExW(temporary.c_str(), pidFile.c_str(), MOVEFILE_REPLACE_EXISTING);
    say(L"started\n");
    if (wait)
        ::Sleep(INFINITE);
    return 0;
}

} // namespace

int main()
{
    int argc = 0;
    LPWSTR* argv = ::CommandLineToArgvW(::GetCommandLineW(), &argc);
    const std::wstring mode = argc > 1 ? argv[1] : L"";
    if (mode == L"args")
    {
        for (int i = 0; i < argc; ++i)
            say(L"[" + std::wstring(argv[i]) + L"]\n");
        return 0;
    }
    if (mode == L"env")
    {
        LPWCH block = ::GetEnvironmentStringsW();
        for (LPWCH entry = block; *entry; entry += wcslen(entry) + 1)
            say(std::wstring(entry) + L"\n");
        ::FreeEnvironmentStringsW(block);
        return 0;
    }
    if (mode == L"say" && argc == 4)
    {
        say(std::wstring(argv[2]) + L"\n");
        put(::GetStdHandle(STD_ERROR_HANDLE), std::wstring(argv[3]) + L"\n");
        return 0;
    }
    if (mode == L"flood" && argc == 3)
    {
        const std::wstring chunk(1024, L'x');
        for (long left = std::stol(argv[2]); left > 0; left -= 1024)
            say(left >= 1024 ? chunk : chunk.substr(0, static_cast<std::size_t>(left)));
        return 0;
    }
    if (mode == L"exit" && argc == 3)
        return std::stoi(argv[2]);
    if ((mode == L"spawn-and-wait" || mode == L"spawn-and-exit") && argc == 3)
        return spawn(argv[2], mode == L"spawn-and-wait");
    if (mode == L"wait")
    {
        ::Sleep(INFINITE);
        return 0;
    }
    put(::GetStdHandle(STD_ERROR_HANDLE), L"hook-child: unknown mode\n");
    return 2;
}
