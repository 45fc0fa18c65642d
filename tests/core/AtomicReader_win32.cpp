#include "AtomicReader.h"

#include <windows.h>

#include <cwchar>
#include <string>

namespace TokenBroker::Test::AtomicReader {

namespace {

HANDLE stopEvent = nullptr;

std::string windowsError(const char* what)
{
    return std::string(what) + ": Windows error " + std::to_string(::GetLastError());
}

} // namespace

void watchForStop()
{
    // The event Poco::Process::requestTermination() sets: "POCOTRM" and the
    // process id as 8 upper-case hex digits (Process_WIN32U.cpp).
    wchar_t name[32];
    std::swprintf(name, sizeof name / sizeof name[0], L"POCOTRM%08lX", ::GetCurrentProcessId());
    stopEvent = ::CreateEventW(nullptr, FALSE, FALSE, name);
}

bool stopRequested()
{
    static bool stopped = false;
    if (!stopped && stopEvent)
        stopped = ::WaitForSingleObject(stopEvent, 0) == WAIT_OBJECT_0;
    return stopped;
}

bool readWhole(const char* path, std::string& content, std::string& problem)
{
    content.clear();
    HANDLE file = ::CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (file == INVALID_HANDLE_VALUE)
    {
        problem = windowsError("open failed");
        return false;
    }
    char buffer[65536];
    for (;;)
    {
        DWORD n = 0;
        if (!::ReadFile(file, buffer, sizeof buffer, &n, nullptr))
        {
            problem = windowsError("read failed");
            ::CloseHandle(file);
            return false;
        }
        if (n == 0)
            break;
        content.append(buffer, n);
    }
    ::CloseHandle(file);
    return true;
}

} // namespace TokenBroker::Test::AtomicReader
