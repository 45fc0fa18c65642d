#pragma once

#include <string>

namespace TokenBroker {

/// Where the configuration is read from when neither --config nor
/// $TOKENBROKER_CONFIG names a file.
std::string platformDefaultConfigPath();

/// The state directory when broker.state_dir is not set.
std::string platformDefaultStateDir();

} // namespace TokenBroker
