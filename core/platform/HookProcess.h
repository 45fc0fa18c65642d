#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace TokenBroker {

/// How a hook command (on_rotate) ended.
struct HookResult
{
    bool started = false;
    bool timedOut = false;
    int exitStatus = -1;    ///< exit code; POSIX: 128+N when killed by signal N; Windows: 1 when killed
    std::string output;     ///< stdout and stderr, interleaved, at most 64 KiB
    std::string error;      ///< why it could not start
};

/// Runs a hook command: argv directly (no shell), with a small clean
/// environment (the given variables and a few of the broker's own — never
/// all of them, which may hold secrets), stdin from the null device, stdout
/// and stderr captured. When it outlives `timeout` it is killed together
/// with everything it started; what it leaves running after exiting by
/// itself stays. Platform-specific:
/// - POSIX (HookProcess_posix.cpp): keeps PATH, HOME, LANG, LC_ALL, TZ; the
///   program is looked up in that PATH; the hook leads its own process
///   group, which gets SIGTERM then SIGKILL.
/// - Windows (HookProcess_win32.cpp): argv is quoted into one command line
///   by the CommandLineToArgvW rules (Win32::commandLine; a .bat/.cmd is
///   parsed by cmd.exe, which follows other rules); keeps PATH, PATHEXT,
///   SystemRoot (Winsock and the crypto API fail without it), SystemDrive,
///   windir, ComSpec, TEMP, TMP, USERPROFILE; a bare program name is found
///   the CreateProcessW way; the hook runs in a Job Object that kills every
///   process in it on a time-out, on terminateRunningHooks() and if the
///   broker itself dies.
HookResult runHook(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment,
                   std::chrono::milliseconds timeout);

/// Why runHook could not start `program` (argv[0] of a hook) for this
/// process, or nothing when it could: a missing file, a directory, a file
/// this user may not execute, a bare name found nowhere in the hook's PATH.
/// What `check` says at configuration time instead of a failed hook at the
/// first rotation.
std::optional<std::string> cannotRunHook(const std::string& program);

/// The environment a hook gets: the named variables of the broker's own
/// environment that are set, then `extra` (which wins).
std::map<std::string, std::string> hookEnvironment(const std::vector<std::string>& inherited,
                                                   const std::map<std::string, std::string>& extra);

/// Terminates every hook still running (the daemon is stopping), so none
/// outlives it — on Windows with everything each one started; their
/// runHook() calls then return.
void terminateRunningHooks();

} // namespace TokenBroker
