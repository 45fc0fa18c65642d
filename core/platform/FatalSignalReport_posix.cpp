#include "FatalSignalReport.h"
#include "LastWords.h"

#include <csignal>
#include <cstring>
#include <unistd.h>

namespace TokenBroker {

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
struct sigaction g_previous[NSIG];
bool g_installed = false;

const char* signalName(int signal)
{
    switch (signal)
    {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    default: return "signal";
    }
}

void onFatalSignal(int signal, siginfo_t* info, void*)
{
    // Async-signal-safe only: strlen, write, sigaction, raise.
    if (LastWords::length > 0)
    {
        const char* name = signalName(signal);
        const char prefix[] = "tokenbroker: fatal ";
        ssize_t ignored = ::write(STDERR_FILENO, prefix, sizeof prefix - 1);
        ignored = ::write(STDERR_FILENO, name, std::strlen(name));
        ignored = ::write(STDERR_FILENO, LastWords::text, LastWords::length);
        (void)ignored;
        LastWords::length = 0;
    }
    ::sigaction(signal, &g_previous[signal], nullptr);
    // A fault re-executes its instruction on return and meets the previous
    // handler; a signal that was sent (abort, kill) is sent again.
    if (!info || info->si_code <= 0 || signal == SIGABRT)
        ::raise(signal);
}

} // namespace

void installFatalSignalReport()
{
    if (g_installed)
        return;
    g_installed = true;
    for (int signal : kSignals)
    {
        struct sigaction action;
        std::memset(&action, 0, sizeof action);
        action.sa_sigaction = &onFatalSignal;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        ::sigaction(signal, &action, &g_previous[signal]);
    }
}

} // namespace TokenBroker
