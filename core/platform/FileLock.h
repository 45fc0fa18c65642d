#pragma once

#include "AtomicFile.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace TokenBroker {

/// The lock is held by someone else and did not come free in time.
class LockBusy : public WriteError
{
public:
    using WriteError::WriteError;
};

/// An exclusive advisory lock on a file, held for the object's lifetime:
/// serialises refreshes of one profile across broker processes that share
/// a state_dir, so two of them never rotate the same refresh token, and
/// keeps a second daemon off a state_dir. The lock file is created (0600)
/// when missing; a symbolic link in its place is refused.
class FileLock
{
public:
    /// Blocks until the lock is free; throws WriteError if the lock file
    /// cannot be opened.
    explicit FileLock(const std::string& path);

    /// Waits at most `maxWait` (zero: not at all); throws LockBusy when the
    /// lock stays taken, WriteError when the file cannot be opened.
    FileLock(const std::string& path, std::chrono::milliseconds maxWait);

    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

    /// Whether another holder has `path` locked now. Creates nothing: a
    /// missing file is not held.
    static bool isHeld(const std::string& path);

private:
    void open(const std::string& path);
    std::intptr_t _handle = -1;
};

} // namespace TokenBroker
