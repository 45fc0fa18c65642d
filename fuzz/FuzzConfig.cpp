// The YAML loader on any text: errors are ConfigErrors with a location,
// never a crash, an exhausted memory or an exception of another kind.
#include "ConfigLoader.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try
    {
        TokenBroker::ConfigLoader::parseString(text, "fuzz.yaml", "/etc/tokenbroker");
    }
    catch (const TokenBroker::ConfigErrors& e)
    {
        for (const auto& error : e.errors())
        {
            if (error.location().file != "fuzz.yaml")
                __builtin_trap();
        }
    }
    return 0;
}
