// tokenbroker-test-helper: small portable stand-ins for the Unix tools the
// engine tests used to run, so the same cases run on Windows.
//
//   tokenbroker-test-helper hold-lock PATH SECONDS
//       takes the broker's own lock on PATH (as `tokenbroker login` in
//       another process would), prints "locked", holds it SECONDS
//   tokenbroker-test-helper touch PATH
//       creates PATH (an on_rotate hook that leaves a trace)

#include "FileLock.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

int main(int argc, char** argv)
{
    if (argc == 4 && std::strcmp(argv[1], "hold-lock") == 0)
    {
        TokenBroker::FileLock lock(argv[2]);
        std::printf("locked\n");
        std::fflush(stdout);
        std::this_thread::sleep_for(std::chrono::seconds(std::atoi(argv[3])));
        return 0;
    }
    if (argc == 3 && std::strcmp(argv[1], "touch") == 0)
        return std::ofstream(argv[2], std::ios::app) ? 0 : 1;
    std::fprintf(stderr, "usage: %s hold-lock PATH SECONDS | touch PATH\n", argv[0]);
    return 2;
}
