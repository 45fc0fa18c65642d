#include "JournalStream.h"

namespace TokenBroker {

bool stderrIsJournal()
{
    return false;
}

} // namespace TokenBroker
