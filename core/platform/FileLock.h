#pragma once

#include <cstdint>
#include <string>

namespace TokenBroker {

/// An exclusive advisory lock on a file, held for the object's lifetime:
/// serialises refreshes of one profile across broker processes that share
/// a state_dir, so two of them never rotate the same refresh token.
/// Blocks until the lock is free; throws WriteError if the lock file cannot
/// be opened.
class FileLock
{
public:
    explicit FileLock(const std::string& path);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    std::intptr_t _handle;
};

} // namespace TokenBroker
