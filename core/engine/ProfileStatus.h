#pragma once

namespace TokenBroker {

/// Where a profile stands, as `status` and the admin endpoint report it.
enum class ProfileStatus { Starting, Ready, Retrying, Expired, Failed, NeedsLogin };

const char* toString(ProfileStatus status);

} // namespace TokenBroker
