#include "JournalStream.h"

#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace TokenBroker {

bool stderrIsJournal()
{
    const char* stream = std::getenv("JOURNAL_STREAM");
    struct stat st;
    if (!stream || ::fstat(STDERR_FILENO, &st) != 0)
        return false;
    // Compared as text: what systemd wrote is "%lu:%lu" of st_dev, st_ino.
    return stream == std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

} // namespace TokenBroker
