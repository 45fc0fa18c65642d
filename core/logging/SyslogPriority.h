#pragma once

#include <Poco/Message.h>

namespace TokenBroker {

/// The syslog severity (0 emerg ... 7 debug) of a POCO priority, as
/// journald and `journalctl -p` read it.
int syslogSeverity(Poco::Message::Priority priority);

} // namespace TokenBroker
