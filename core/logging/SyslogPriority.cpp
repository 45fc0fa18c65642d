#include "SyslogPriority.h"

namespace TokenBroker {

int syslogSeverity(Poco::Message::Priority priority)
{
    switch (priority)
    {
    case Poco::Message::PRIO_FATAL: return 2;  // crit: POCO's worst is not a system-wide emergency
    case Poco::Message::PRIO_CRITICAL: return 2;
    case Poco::Message::PRIO_ERROR: return 3;
    case Poco::Message::PRIO_WARNING: return 4;
    case Poco::Message::PRIO_NOTICE: return 5;
    case Poco::Message::PRIO_INFORMATION: return 6;
    default: return 7;  // debug, trace
    }
}

} // namespace TokenBroker
