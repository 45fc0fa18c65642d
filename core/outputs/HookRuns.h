#pragma once

#include <cstdint>

namespace TokenBroker {

/// How an on_rotate hook run ended.
enum class HookOutcome { Ok, Failed, TimedOut, Error };

/// on_rotate runs of one profile by outcome, for tokenbroker_hook_runs_total.
struct HookRuns
{
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;    ///< exited with a non-zero status
    std::uint64_t timedOut = 0;  ///< killed at on_rotate_timeout
    std::uint64_t error = 0;     ///< could not be started

    void count(HookOutcome outcome)
    {
        switch (outcome)
        {
        case HookOutcome::Ok: ++ok; break;
        case HookOutcome::Failed: ++failed; break;
        case HookOutcome::TimedOut: ++timedOut; break;
        case HookOutcome::Error: ++error; break;
        }
    }
};

} // namespace TokenBroker
