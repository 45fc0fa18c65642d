#pragma once

// The line a crash on this thread would print (FatalSignalReport.h), kept
// ready by PluginCallScope for the platform's handler, which may only copy
// it out. Empty (length 0) outside plugin code.

#include <cstddef>

namespace TokenBroker::LastWords {

extern thread_local char text[512];
extern thread_local std::size_t length;

} // namespace TokenBroker::LastWords
