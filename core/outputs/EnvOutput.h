#pragma once

#include "Output.h"

#include <memory>

namespace TokenBroker {

/// An `env:` output. On Unix: an env-file (NAME=token) for systemd's
/// EnvironmentFile= or `set -a; . FILE`. On Windows: the user or machine
/// environment in the registry, followed by a WM_SETTINGCHANGE broadcast.
std::unique_ptr<Output> makeEnvOutput(const OutputSpec& spec);

} // namespace TokenBroker
