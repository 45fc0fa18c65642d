#pragma once

// `tokenbroker.exe /registerService` and `/unregisterService`: the service's
// entry in the service control manager, its Event Log source and its data
// directories. POCO's WinService is not used: it cannot update an existing
// registration (an upgrade re-registers), set a delayed start, or give its
// failure actions a reset period.

#include <string>
#include <vector>

namespace TokenBroker {

/// What registration did, for the administrator to read.
struct RegistrationReport
{
    std::vector<std::string> lines;
};

/// Registers the TokenBroker service to run this executable (as
/// LocalSystem, automatic delayed start, restarted after a crash but not
/// after an orderly stop with an error such as a configuration error), or
/// updates the registration when it exists (keeping its account). The
/// registered command line carries `configPath` when one is given. Also
/// registers the Event Log source (messages from this executable's message
/// table) and creates %ProgramData%\TokenBroker with its state and logs
/// directories under the private DACL (SYSTEM, Administrators, this
/// account). Throws std::runtime_error with the step and Windows' reason.
RegistrationReport registerService(const std::string& configPath);

/// Stops the service if it runs (waiting up to 60 s for it to stop),
/// removes it and its Event Log source. Configuration, state and logs stay.
/// A service that is not registered is not an error.
RegistrationReport unregisterService();

} // namespace TokenBroker
