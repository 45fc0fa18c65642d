#pragma once

// POSIX only: directories the trusted walk (TrustedPath_posix.h) reached a
// moment ago, held open so that a burst of writes into one directory (a
// start with thousands of profiles) walks it once instead of once per file.

#include "TrustedPath_posix.h"

#include <sys/stat.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace TokenBroker::Posix {

/// A small cache of open directory descriptors keyed by the path and the
/// trust they were walked with. A hit needs the path to name the very
/// directory held (same device and inode, which cannot be reused while it is
/// held open), and the caller's judgement of its current status; so a
/// directory renamed, replaced by a link or opened to others since is never
/// served from here and the caller walks again. Entries live `lifetime`
/// after they were remembered: a daemon idle between renewals holds no
/// descriptor for long. Thread-safe.
class VerifiedDirectories
{
public:
    static constexpr std::size_t capacity = 16;
    static constexpr std::chrono::milliseconds lifetime{2000};

    using StillTrusted = std::function<bool(const struct stat&)>;

    /// The process's one cache.
    static VerifiedDirectories& instance();

    /// A new descriptor of the directory remembered for (path, owner), or
    /// an empty one (get() < 0) when there is none, it expired, `path` now
    /// names another file, or `stillTrusted` refuses its status.
    Descriptor find(const std::string& path, uid_t owner, const StillTrusted& stillTrusted);

    /// Holds a duplicate of `fd`, the directory `path` reached by the walk.
    void remember(const std::string& path, uid_t owner, int fd);

    /// Closes every held descriptor.
    void clear();

private:
    using Clock = std::chrono::steady_clock;
    struct Entry
    {
        Descriptor fd;
        dev_t device = 0;
        ino_t inode = 0;
        Clock::time_point expires;
    };

    VerifiedDirectories() = default;
    void dropExpired(Clock::time_point now);

    std::mutex _mutex;
    std::map<std::pair<std::string, uid_t>, Entry> _entries;
};

} // namespace TokenBroker::Posix
