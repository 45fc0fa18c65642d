/* LD_PRELOAD shim for tests: fsync(2) takes TOKENBROKER_TEST_FSYNC_DELAY_MS
 * longer (default 100), as on a slow or busy disk. Slow syncs widen any
 * window in which a process has read a file and not yet replaced it, so
 * races between broker processes show up reliably instead of rarely. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int fsync(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    const char* text = getenv("TOKENBROKER_TEST_FSYNC_DELAY_MS");
    long ms = text ? atol(text) : 100;
    struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&delay, NULL);
    return real(fd);
}
