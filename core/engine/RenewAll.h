#pragma once

#include "Profile.h"

#include <memory>
#include <vector>

namespace TokenBroker {

/// Renews every profile once, `workers` at a time (`tokenbroker once`), and
/// returns their results in the profiles' order. Each profile is renewed
/// exactly as the daemon would, under its own lock, so concurrency changes
/// only how long the whole takes.
std::vector<FlowResult> renewAll(const std::vector<std::shared_ptr<Profile>>& profiles, int workers);

} // namespace TokenBroker
