#include "FatalSignalReport.h"
#include "LastWords.h"

#include <cstdio>

#include <windows.h>

namespace TokenBroker {

namespace {

LPTOP_LEVEL_EXCEPTION_FILTER g_previous = nullptr;
bool g_installed = false;

LONG WINAPI onUnhandledException(EXCEPTION_POINTERS* exception)
{
    if (LastWords::length > 0)
    {
        char code[48];
        const int n = std::snprintf(code, sizeof code, "tokenbroker: fatal exception 0x%08lx",
                                    static_cast<unsigned long>(exception->ExceptionRecord->ExceptionCode));
        DWORD written = 0;
        HANDLE err = ::GetStdHandle(STD_ERROR_HANDLE);
        ::WriteFile(err, code, static_cast<DWORD>(n), &written, nullptr);
        ::WriteFile(err, LastWords::text, static_cast<DWORD>(LastWords::length), &written, nullptr);
        LastWords::length = 0;
    }
    return g_previous ? g_previous(exception) : EXCEPTION_CONTINUE_SEARCH;
}

} // namespace

void installFatalSignalReport()
{
    if (g_installed)
        return;
    g_installed = true;
    g_previous = ::SetUnhandledExceptionFilter(&onUnhandledException);
}

} // namespace TokenBroker
