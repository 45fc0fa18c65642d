#pragma once

#include "Config.h"
#include "HookRuns.h"
#include "Output.h"
#include "Token.h"

#include <Poco/Logger.h>

#include <memory>
#include <optional>
#include <vector>

namespace TokenBroker {

/// Runs a profile's on_rotate command after a new token was written to
/// `outputs`, and logs how it ended; failures are logged, never fatal. The
/// token itself is never passed: the hook reads the outputs, which
/// TOKENBROKER_OUTPUTS lists. Returns how it ended; empty when the profile
/// has no on_rotate.
std::optional<HookOutcome> runRotationHook(const ProfileSpec& spec, const Token& token, const std::vector<std::unique_ptr<Output>>& outputs,
                     Poco::Logger& logger);

} // namespace TokenBroker
