#pragma once

#include "HookRuns.h"
#include "ProfileStatus.h"
#include "RefreshDurations.h"

#include <cstdint>
#include <optional>
#include <string>

namespace TokenBroker {

/// A login the daemon runs itself (a device code waiting for a person),
/// as the status page, /v1/profiles and the log show it.
struct LoginPrompt
{
    bool running = false;           ///< the flow is still waiting or polling
    std::string verificationUri;    ///< where the person goes; empty until the code arrives
    std::string userCode;           ///< what they enter there (short-lived; not a credential by itself)
    std::int64_t expiresAt = 0;     ///< Unix seconds the code expires
    std::string error;              ///< why the last login failed; empty while running or after success
};

/// One profile as the scheduler sees it, for status pages and metrics.
struct ProfileView
{
    std::string name;
    std::string flow;
    ProfileStatus status = ProfileStatus::Starting;
    std::int64_t expiresAt = 0;        ///< Unix seconds; 0 = none or no token
    bool hasToken = false;             ///< a token is published (valid unless past expiresAt)
    bool outputsCurrent = true;        ///< every output holds that token
    std::int64_t nextRefreshMs = 0;    ///< Unix ms; INT64_MAX = not scheduled
    int consecutiveFailures = 0;
    std::uint64_t refreshes = 0;       ///< successful renewals
    std::uint64_t failures = 0;        ///< failed renewals
    bool inFlight = false;
    std::int64_t inFlightSinceMs = 0;  ///< Unix ms the attempt in flight started; 0 = none
    std::int64_t lastSuccessMs = 0;    ///< Unix ms of the last renewal that succeeded (or the adopted token's); 0 = none
    RefreshDurations durations;        ///< how long renewals took
    HookRuns hookRuns;                 ///< on_rotate runs by outcome
    std::string lastError;
    std::string outputs;
    std::string description;           ///< the plugin's describe() facts, JSON object text
    bool deviceLogin = false;          ///< the daemon can run its login (Profile::hasDeviceLogin)
    std::optional<LoginPrompt> login;  ///< a login the daemon started; none = never
};

} // namespace TokenBroker
