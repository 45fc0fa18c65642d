// A reader for the atomic-write hammer test: reads FILE over and over until
// asked to stop (ChildProcess::requestStop()) and checks every read against
// the allowed contents. A writer that is not atomic shows up here as an
// empty, short or mixed read.
//
//   tokenbroker-atomic-reader FILE CONTENT...
//
// Prints "ready" once running, and on exit one summary line:
//   reads=N bad=M seen=C1,C2,...
// (seen = how many reads matched each CONTENT) followed by a description of
// the first bad read, if any.

#include "AtomicReader.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace TokenBroker::Test::AtomicReader;

int main(int argc, char** argv)
{
    if (argc < 3)
    {
        std::fprintf(stderr, "usage: %s FILE CONTENT...\n", argv[0]);
        return 2;
    }
    watchForStop();

    const char* path = argv[1];
    const std::vector<std::string> allowed(argv + 2, argv + argc);
    std::vector<unsigned long> seen(allowed.size(), 0);
    unsigned long reads = 0, bad = 0;
    std::string firstBad, content, problem;

    std::printf("ready\n");
    std::fflush(stdout);
    while (!stopRequested())
    {
        ++reads;
        if (!readWhole(path, content, problem))
        {
            ++bad;
            if (firstBad.empty())
                firstBad = problem;
            continue;
        }
        bool matched = false;
        for (std::size_t i = 0; i < allowed.size() && !matched; ++i)
        {
            if (content == allowed[i])
            {
                ++seen[i];
                matched = true;
            }
        }
        if (!matched)
        {
            ++bad;
            if (firstBad.empty())
                firstBad = "unexpected content of " + std::to_string(content.size()) + " bytes: " +
                           content.substr(0, 40);
        }
    }

    std::printf("reads=%lu bad=%lu seen=", reads, bad);
    for (std::size_t i = 0; i < seen.size(); ++i)
        std::printf(i ? ",%lu" : "%lu", seen[i]);
    std::printf("\n");
    if (!firstBad.empty())
        std::printf("first bad read: %s\n", firstBad.c_str());
    return 0;
}
