#include "DirectorySync_posix.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace TokenBroker::Posix {

namespace {

/// The writers of one directory: tickets handed out, and the highest
/// ticket a finished fsync covers.
struct SyncQueue
{
    std::uint64_t requested = 0;
    std::uint64_t synced = 0;
    bool running = false;
    std::condition_variable finished;
};

std::mutex queuesMutex;
std::map<std::pair<dev_t, ino_t>, std::shared_ptr<SyncQueue>> queues;
DirectorySyncCounts counts;  ///< under queuesMutex

} // namespace

int syncDirectory(int fd)
{
    struct stat st;
    if (::fstat(fd, &st) != 0)
        return errno;
    const auto key = std::make_pair(st.st_dev, st.st_ino);
    std::unique_lock<std::mutex> lock(queuesMutex);
    std::shared_ptr<SyncQueue>& slot = queues[key];
    if (!slot)
        slot = std::make_shared<SyncQueue>();
    const std::shared_ptr<SyncQueue> queue = slot;
    const std::uint64_t ticket = ++queue->requested;
    ++counts.requested;
    while (queue->synced < ticket)
    {
        if (queue->running)
        {
            queue->finished.wait(lock);
            continue;
        }
        // Every ticket up to `covers` was taken after its rename: an fsync
        // that starts now makes all of them durable.
        queue->running = true;
        ++counts.performed;
        const std::uint64_t covers = queue->requested;
        lock.unlock();
        const int error = ::fsync(fd) == 0 ? 0 : errno;
        lock.lock();
        queue->running = false;
        if (error == 0 && covers > queue->synced)
            queue->synced = covers;
        queue->finished.notify_all();
        if (error != 0)
            return error;
    }
    // Idle again: nobody holds a ticket it does not cover.
    const auto it = queues.find(key);
    if (it != queues.end() && it->second == queue && !queue->running && queue->synced == queue->requested)
        queues.erase(it);
    return 0;
}

DirectorySyncCounts directorySyncCounts()
{
    std::lock_guard<std::mutex> lock(queuesMutex);
    return counts;
}

} // namespace TokenBroker::Posix
