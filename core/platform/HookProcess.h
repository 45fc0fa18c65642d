#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace TokenBroker {

/// How a hook command (on_rotate) ended.
struct HookResult
{
    bool started = false;
    bool timedOut = false;
    int exitStatus = -1;    ///< exit code, or 128+N when killed by signal N
    std::string output;     ///< stdout and stderr, interleaved, at most 64 KiB
    std::string error;      ///< why it could not start
};

/// Runs a hook command: argv directly (no shell), with a small clean
/// environment (PATH, HOME, LANG, TZ and the given variables — never the
/// broker's own, which may hold secrets), stdin from /dev/null, killed when
/// it outlives `timeout`. Platform-specific (HookProcess_posix.cpp, HookProcess_win32.cpp).
HookResult runHook(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment,
                   std::chrono::milliseconds timeout);

/// The environment a hook gets: the named variables of the broker's own
/// environment that are set, then `extra` (which wins).
std::map<std::string, std::string> hookEnvironment(const std::vector<std::string>& inherited,
                                                   const std::map<std::string, std::string>& extra);

/// Terminates every hook still running (the daemon is stopping), so none
/// outlives it; their runHook() calls then return.
void terminateRunningHooks();

} // namespace TokenBroker
