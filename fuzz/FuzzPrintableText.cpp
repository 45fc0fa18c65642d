// Server text on its way to a log line: nothing that a terminal or a log
// reader would take as a control survives, and the length stays bounded.
#include "PrintableText.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string shown = TokenBroker::printableText(text, 256);
    for (std::size_t i = 0; i < shown.size(); ++i)
    {
        const auto c = static_cast<unsigned char>(shown[i]);
        if (c < 0x20 || c == 0x7f)
            __builtin_trap();
        // U+0080..U+009F (C1 controls) encode as C2 80..C2 9F.
        if (c == 0xc2 && i + 1 < shown.size() && static_cast<unsigned char>(shown[i + 1]) < 0xa0)
            __builtin_trap();
    }
    if (shown.size() > 256 + 64)
        __builtin_trap();
    return 0;
}
