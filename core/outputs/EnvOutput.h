#pragma once

#include "Output.h"

#include <memory>

namespace TokenBroker {

/// An `env:` output. On Unix: an env-file (NAME=token) for systemd's
/// EnvironmentFile= or `set -a; . FILE`. On Windows: a variable in the
/// registry environment, followed by a WM_SETTINGCHANGE broadcast:
/// `scope: machine` is HKLM\...\Session Manager\Environment, `scope: user`
/// is HKEY_USERS\<SID>\Environment of `user:` (a name or a SID), or the
/// broker's own HKCU\Environment when `user:` is not given.
std::unique_ptr<Output> makeEnvOutput(const OutputSpec& spec);

/// Checks what this platform can check before the first write; throws
/// ConfigError at the position of the offending key. Unix refuses `user:`
/// (an env-file has owner/group instead). Windows resolves `user:` to a user
/// account, and refuses `scope: user` without `user:` in a service, whose
/// HKCU is the service account's own hive that no user session sees.
void validateEnvOutput(const OutputSpec& spec);

} // namespace TokenBroker
