#pragma once

#include "Config.h"
#include "Output.h"
#include "Token.h"

#include <Poco/Logger.h>

#include <memory>
#include <vector>

namespace TokenBroker {

/// Runs a profile's on_rotate command after a new token was written to
/// `outputs`, and logs how it ended; failures are logged, never fatal. The
/// token itself is never passed: the hook reads the outputs, which
/// TOKENBROKER_OUTPUTS lists.
void runRotationHook(const ProfileSpec& spec, const Token& token, const std::vector<std::unique_ptr<Output>>& outputs,
                     Poco::Logger& logger);

} // namespace TokenBroker
