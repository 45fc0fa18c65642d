#pragma once

#include <functional>

namespace TokenBroker {

/// POCO 1.11's ServerApplication dies on SIGHUP, so the daemon blocks
/// HUP, INT, QUIT and TERM in every thread (call before any thread starts)
/// and takes them synchronously with waitForSignals().
void blockTerminationSignals();

/// Waits for signals: HUP calls `reload` and keeps waiting; INT, QUIT or
/// TERM returns.
void waitForSignals(const std::function<void()>& reload);

} // namespace TokenBroker
