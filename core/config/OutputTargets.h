#pragma once

#include "Config.h"

#include <string>

namespace TokenBroker {

/// Refuses outputs that would overwrite something else, each at its
/// output's file:line:col: another output (of any profile), the
/// configuration file itself, a file a setting is read from ({file: PATH},
/// ca_file: keys, secrets, CAs), or anything inside broker.state_dir except
/// a profile's own default env-file. A token written there would destroy a
/// key or a refresh token, or hand one profile's token to another's readers.
/// Appends to config.errors.
void checkOutputTargets(Config& config, const std::string& configFile);

} // namespace TokenBroker
