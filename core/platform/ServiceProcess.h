#pragma once

namespace TokenBroker {

/// Whether this process runs as a system service (on Windows: the service
/// control manager started it). The service entry point says so, because it
/// knows for certain (POCO's ServiceMain runs only when the SCM connected);
/// guessing from the account or the window station would misjudge a console
/// run as SYSTEM (psexec -s) and cannot be tested. Tests set it to check what
/// a service must refuse.
bool runningAsService();

/// Called once by the service entry point before the configuration is
/// checked (and by tests).
void setRunningAsService(bool service);

} // namespace TokenBroker
