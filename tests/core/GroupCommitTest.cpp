// Directory syncs shared by concurrent writers (Posix::syncDirectory): each
// write still returns only after a directory fsync that began after its
// rename, while writers that arrive during one fsync share the next. The
// test executable defines fsync and renameat itself, so the core's calls
// reach these recorders first (and then the C library's).
#define BOOST_TEST_MODULE GroupCommitTest
#include <boost/test/unit_test.hpp>

#include "AtomicFile.h"
#include "DirectorySync_posix.h"
#include "TempDir.h"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace TokenBroker;
using namespace TokenBroker::Test;
using namespace std::chrono_literals;

namespace {

enum class Kind { Renamed, SyncStarted, SyncEnded, Returned };

struct Event
{
    Kind kind;
    std::thread::id thread;
    int sync = 0;  ///< which directory fsync, for SyncStarted/SyncEnded
};

/// What the wrappers saw while a test was recording, in order.
struct Recorder
{
    std::mutex mutex;
    std::condition_variable changed;
    bool active = false;
    std::vector<Event> events;
    int renames = 0;
    int syncs = 0;
    /// The first directory fsync waits until this many syncs were asked for.
    std::optional<std::uint64_t> holdFirstSyncUntilRequested;
    bool failFirstSync = false;
    bool holdTimedOut = false;  ///< set on a writer's thread, checked by the test

    void add(Event event)
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (!active)
            return;
        if (event.kind == Kind::Renamed)
            ++renames;
        events.push_back(event);
        changed.notify_all();
    }
};

Recorder recorder;

bool isDirectory(int fd)
{
    struct stat st;
    return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/// Waits (bounded) until syncDirectory has handed out `count` tickets since
/// `base`: its own counter is the observable event.
bool waitForRequests(std::uint64_t base, std::uint64_t count)
{
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (Posix::directorySyncCounts().requested - base < count)
    {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::yield();
    }
    return true;
}

std::uint64_t requestBase = 0;

} // namespace

extern "C" int fsync(int fd)
{
    using Fsync = int (*)(int);
    static const Fsync real = reinterpret_cast<Fsync>(::dlsym(RTLD_NEXT, "fsync"));
    bool recording = false;
    bool fail = false;
    int id = 0;
    std::optional<std::uint64_t> hold;
    {
        std::lock_guard<std::mutex> lock(recorder.mutex);
        recording = recorder.active && isDirectory(fd);
        if (recording)
        {
            id = ++recorder.syncs;
            if (id == 1)
            {
                hold = recorder.holdFirstSyncUntilRequested;
                fail = recorder.failFirstSync;
            }
        }
    }
    if (!recording)
        return real(fd);
    recorder.add(Event{Kind::SyncStarted, std::this_thread::get_id(), id});
    if (hold && !waitForRequests(requestBase, *hold))
    {
        std::lock_guard<std::mutex> lock(recorder.mutex);
        recorder.holdTimedOut = true;
    }
    const int rc = fail ? (errno = EIO, -1) : real(fd);
    const int saved = errno;
    recorder.add(Event{Kind::SyncEnded, std::this_thread::get_id(), id});
    errno = saved;
    return rc;
}

extern "C" int renameat(int oldDir, const char* oldName, int newDir, const char* newName)
{
    using Renameat = int (*)(int, const char*, int, const char*);
    static const Renameat real = reinterpret_cast<Renameat>(::dlsym(RTLD_NEXT, "renameat"));
    const int rc = real(oldDir, oldName, newDir, newName);
    if (rc == 0)
        recorder.add(Event{Kind::Renamed, std::this_thread::get_id()});
    return rc;
}

namespace {

/// Records the wrappers' events for the test's lifetime.
struct Recording
{
    explicit Recording(std::optional<std::uint64_t> holdFirstSyncUntilRequested = std::nullopt, bool failFirstSync = false)
    {
        std::lock_guard<std::mutex> lock(recorder.mutex);
        recorder.events.clear();
        recorder.renames = 0;
        recorder.syncs = 0;
        recorder.holdFirstSyncUntilRequested = holdFirstSyncUntilRequested;
        recorder.failFirstSync = failFirstSync;
        recorder.holdTimedOut = false;
        requestBase = Posix::directorySyncCounts().requested;
        recorder.active = true;
    }
    ~Recording()
    {
        std::lock_guard<std::mutex> lock(recorder.mutex);
        recorder.active = false;
    }
};

struct Outcome
{
    int written = 0;
    std::vector<std::string> errors;
};

/// `writers` threads, each writing `each` files of its own into `dir`.
Outcome writeConcurrently(const TempDir& dir, int writers, int each)
{
    std::mutex mutex;
    Outcome outcome;
    std::vector<std::thread> threads;
    for (int w = 0; w < writers; ++w)
    {
        threads.emplace_back([&, w] {
            for (int i = 0; i < each; ++i)
            {
                const std::string name = "w" + std::to_string(w) + "-" + std::to_string(i);
                try
                {
                    writeFileAtomically(dir.file(name), name + "\n", FileAttributes{0600, "", ""});
                    recorder.add(Event{Kind::Returned, std::this_thread::get_id()});
                    std::lock_guard<std::mutex> lock(mutex);
                    ++outcome.written;
                }
                catch (const WriteError& e)
                {
                    recorder.add(Event{Kind::Returned, std::this_thread::get_id()});
                    std::lock_guard<std::mutex> lock(mutex);
                    outcome.errors.push_back(e.what());
                }
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    return outcome;
}

std::vector<Event> recorded()
{
    std::lock_guard<std::mutex> lock(recorder.mutex);
    return recorder.events;
}

} // namespace

BOOST_AUTO_TEST_SUITE(GroupCommit)

BOOST_AUTO_TEST_CASE(every_write_returns_after_a_directory_sync_that_began_after_its_rename)
{
    TempDir dir;
    Outcome outcome;
    std::vector<Event> events;
    {
        Recording recording;
        outcome = writeConcurrently(dir, 8, 25);
        events = recorded();
    }
    BOOST_TEST_REQUIRE(outcome.errors.empty());
    BOOST_TEST_REQUIRE(outcome.written == 200);

    // Positions of each sync's start and end in the one order of events.
    std::map<int, std::size_t> started, ended;
    for (std::size_t at = 0; at < events.size(); ++at)
    {
        if (events[at].kind == Kind::SyncStarted)
            started[events[at].sync] = at;
        if (events[at].kind == Kind::SyncEnded)
            ended[events[at].sync] = at;
    }
    // Each thread's rename and then its return: a sync must lie between.
    std::map<std::thread::id, std::size_t> pendingRename;
    int checked = 0;
    for (std::size_t at = 0; at < events.size(); ++at)
    {
        const Event& event = events[at];
        if (event.kind == Kind::Renamed)
            pendingRename[event.thread] = at;
        if (event.kind != Kind::Returned)
            continue;
        BOOST_REQUIRE(pendingRename.count(event.thread));
        const std::size_t renamedAt = pendingRename[event.thread];
        bool covered = false;
        for (const auto& [sync, startAt] : started)
            covered = covered || (startAt > renamedAt && ended.count(sync) && ended[sync] < at);
        BOOST_TEST(covered, "a write returned without a directory sync begun after its rename");
        ++checked;
    }
    BOOST_TEST(checked == 200);
    for (int w = 0; w < 8; ++w)
        BOOST_TEST(readFile(dir.file("w" + std::to_string(w) + "-24")) == "w" + std::to_string(w) + "-24\n");
}

BOOST_AUTO_TEST_CASE(writers_arriving_during_a_directory_sync_share_the_next_one)
{
    // The first sync is held until all eight writers have asked: it covers
    // the first, and the next one covers the other seven.
    TempDir dir;
    Outcome outcome;
    int syncs = 0;
    {
        Recording recording(8);
        outcome = writeConcurrently(dir, 8, 1);
        std::lock_guard<std::mutex> lock(recorder.mutex);
        syncs = recorder.syncs;
        BOOST_TEST_REQUIRE(!recorder.holdTimedOut, "the writers never all asked for a sync");
    }
    BOOST_TEST(outcome.errors.empty());
    BOOST_TEST(outcome.written == 8);
    BOOST_TEST(syncs == 2);
}

BOOST_AUTO_TEST_CASE(a_failed_directory_sync_fails_the_write_that_ran_it_and_the_others_sync_again)
{
    TempDir dir;
    Outcome outcome;
    int syncs = 0;
    {
        Recording recording(8, true);
        outcome = writeConcurrently(dir, 8, 1);
        std::lock_guard<std::mutex> lock(recorder.mutex);
        syncs = recorder.syncs;
        BOOST_TEST_REQUIRE(!recorder.holdTimedOut, "the writers never all asked for a sync");
    }
    BOOST_TEST_REQUIRE(outcome.errors.size() == 1u);
    BOOST_TEST(outcome.errors[0] == "cannot sync directory " + dir.path() + ": Input/output error");
    BOOST_TEST(outcome.written == 7);
    BOOST_TEST(syncs == 2);
}

BOOST_AUTO_TEST_SUITE_END()
