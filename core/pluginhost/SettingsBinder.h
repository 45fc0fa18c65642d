#pragma once

#include "Config.h"
#include "FlowSchema.h"
#include "SecretReference.h"

#include <Poco/JSON/Object.h>

namespace TokenBroker {

/// Turns a profile's flow-specific YAML keys into the JSON settings a plugin's
/// create() receives: checks them against the flow's schema (unknown keys with
/// "did you mean", types, required keys), resolves {file:}/{env:} references
/// and conventional environment variables, converts durations to seconds, and
/// adds "profile", "base_url" and "www_base_url". Problems go to `diagnostics`
/// with the YAML position of the offending key or value. `files` shares the
/// files read among the profiles of one load (see ReferencedFiles).
Poco::JSON::Object::Ptr bindSettings(const ProfileSpec& profile, const FlowSchema& schema, Diagnostics& diagnostics,
                                     ReferencedFiles* files = nullptr);

/// The www host a browser is sent to: an explicit www_base_url, else the
/// official api.coze.* base with "api" replaced by "www", else base_url itself.
std::string deriveWwwBaseUrl(const ProfileSpec& profile);

/// Where a plugin's complaint about `key` points: the value's position, or
/// the profile's name when the key was not written.
SourceLocation locateSetting(const ProfileSpec& profile, const std::string& key);

} // namespace TokenBroker
