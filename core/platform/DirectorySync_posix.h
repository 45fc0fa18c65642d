#pragma once

// POSIX only: making renames into a directory durable, one fsync for many.

#include <cstdint>

namespace TokenBroker::Posix {

/// fsync(2) of the directory open as `fd`, shared by every writer of that
/// directory (same device and inode) that asks at the same time: a writer
/// returns only after an fsync that began after it asked has succeeded, so
/// each rename done before asking is as durable as with its own fsync, and
/// a burst of N writers into one directory costs about as many fsyncs as
/// arrive while one is running rather than N. Returns 0 or the errno of
/// the failed fsync (then each writer still waiting tries its own).
int syncDirectory(int fd);

/// How many syncs syncDirectory() was asked for and how many fsyncs it
/// ran, since the process started: the sharing a burst of writes got.
struct DirectorySyncCounts
{
    std::uint64_t requested = 0;
    std::uint64_t performed = 0;
};
DirectorySyncCounts directorySyncCounts();

} // namespace TokenBroker::Posix
