#define BOOST_TEST_MODULE FreeMemoryTest
#include <boost/test/unit_test.hpp>

// releaseFreeMemory() must really hand pages back: a build where it
// silently does nothing (as one did, when __GLIBC__ was tested before any
// header defined it) keeps a burst's freed memory resident for good.

#include "FreeMemory.h"

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

using namespace TokenBroker;

namespace {

/// Resident pages of this process, in bytes (/proc/self/statm).
std::size_t residentBytes()
{
    std::ifstream statm("/proc/self/statm");
    std::size_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

} // namespace

BOOST_AUTO_TEST_CASE(freed_memory_between_live_objects_goes_back_to_the_system)
{
    // A burst: 64 MiB of 16 KiB buffers, each followed by a small object that
    // stays, so free() cannot return the buffers by trimming the heap's top.
    constexpr std::size_t kBuffers = 4096;
    std::vector<std::unique_ptr<char[]>> buffers, keepers;
    for (std::size_t i = 0; i < kBuffers; ++i)
    {
        buffers.emplace_back(new char[16384]);
        std::fill_n(buffers.back().get(), 16384, static_cast<char>(i));  // touched: resident
        keepers.emplace_back(new char[64]);
    }
    buffers.clear();
    const std::size_t before = residentBytes();
    releaseFreeMemory();
    const std::size_t after = residentBytes();
    BOOST_TEST_MESSAGE("resident before " << before / 1024 << " KiB, after " << after / 1024 << " KiB");
    BOOST_TEST(before > after + 32u * 1024 * 1024, "at least half of the 64 MiB freed goes back");
    BOOST_TEST(keepers.size() == kBuffers);
}
