#pragma once

namespace TokenBroker {

/// Hands the heap's free pages back to the system. A burst of renewals (all
/// profiles at start, then each wave) leaves its transient buffers freed
/// between long-lived objects, and the allocator keeps those pages
/// resident: at 1,000 profiles that was about a third of the daemon's RSS.
/// Costs a pass over the heap's free lists; the caller limits how often.
void releaseFreeMemory();

} // namespace TokenBroker
