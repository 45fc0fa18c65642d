#pragma once

// The platform half of tokenbroker-atomic-reader (AtomicReader_posix.cpp,
// AtomicReader_win32.cpp): how it learns that it should stop, and how it
// reads a file the writer keeps replacing.

#include <string>

namespace TokenBroker::Test::AtomicReader {

/// Starts listening for ChildProcess::requestStop() (SIGTERM; on Windows
/// POCO's named termination event); call once, before printing "ready".
void watchForStop();

/// True once a stop was requested.
bool stopRequested();

/// The whole file, or false (with `problem` set) if it could not be opened
/// or read. Windows: opened with every share mode, as a reader that does not
/// stand in the writer's way (the writer's retries are tested elsewhere).
bool readWhole(const char* path, std::string& content, std::string& problem);

} // namespace TokenBroker::Test::AtomicReader
