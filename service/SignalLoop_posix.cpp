#include "SignalLoop.h"

#include <csignal>
#include <pthread.h>

namespace TokenBroker {

namespace {

sigset_t terminationSignals()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGTERM);
    return set;
}

} // namespace

void blockTerminationSignals()
{
    sigset_t set = terminationSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void waitForSignals(const std::function<void()>& reload)
{
    sigset_t set = terminationSignals();
    for (;;)
    {
        int signal = 0;
        if (sigwait(&set, &signal) != 0)
            continue;
        if (signal != SIGHUP)
            return;
        reload();
    }
}

} // namespace TokenBroker
