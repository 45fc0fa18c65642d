// Durations ("90s", "15m", "1h30m"): whatever parses, formats back to text
// that parses to the same number of seconds.
#include "Duration.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto seconds = TokenBroker::parseDuration(text);
    if (seconds && *seconds >= 0)
    {
        const auto again = TokenBroker::parseDuration(TokenBroker::formatDuration(*seconds));
        if (!again || *again != *seconds)
            __builtin_trap();
    }
    return 0;
}
