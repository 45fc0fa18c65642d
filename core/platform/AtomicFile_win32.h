#pragma once

// How writeFileAtomically() waits on Windows for a reader that holds the
// target open (not a platform interface: for AtomicFile_win32.cpp and the
// Windows tests).

#include <chrono>
#include <cstddef>

namespace TokenBroker::Win32 {

/// A reader that opened the target without FILE_SHARE_DELETE (an editor, a
/// backup or virus scanner) makes the replace fail with a sharing violation
/// or access denied until it closes the file. Those two errors are retried
/// for this long, every replaceRetryInterval; any other fails at once.
constexpr std::chrono::milliseconds replaceRetryBound{2000};
constexpr std::chrono::milliseconds replaceRetryInterval{20};

/// Replace attempts refused so far in this process, for tests that release
/// the target once a write has met it held.
std::size_t refusedReplaceAttempts();

} // namespace TokenBroker::Win32
