#include "PrintableText.h"

#include <algorithm>
#include <cstdio>

namespace TokenBroker {

namespace {

std::string hexEscape(unsigned char byte)
{
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
    return buffer;
}

/// Length of the UTF-8 sequence at `i` and its code point; 0 when the bytes
/// there are not well-formed UTF-8 (overlong, surrogate, truncated).
std::size_t decode(const std::string& text, std::size_t i, char32_t& codePoint)
{
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    char32_t minimum = 0;
    if (lead >= 0xc2 && lead <= 0xdf)
    {
        length = 2;
        codePoint = lead & 0x1f;
        minimum = 0x80;
    }
    else if (lead >= 0xe0 && lead <= 0xef)
    {
        length = 3;
        codePoint = lead & 0x0f;
        minimum = 0x800;
    }
    else if (lead >= 0xf0 && lead <= 0xf4)
    {
        length = 4;
        codePoint = lead & 0x07;
        minimum = 0x10000;
    }
    else
        return 0;
    if (i + length > text.size())
        return 0;
    for (std::size_t k = 1; k < length; ++k)
    {
        if ((byte(i + k) & 0xc0) != 0x80)
            return 0;
        codePoint = (codePoint << 6) | (byte(i + k) & 0x3f);
    }
    if (codePoint < minimum || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff))
        return 0;
    return length;
}

/// Code points that change how a line displays rather than what it says.
bool invisibleControl(char32_t c)
{
    return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c;
}

std::string unicodeEscape(char32_t c)
{
    char buffer[12];
    std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
    return buffer;
}

} // namespace

std::string printableText(const std::string& text, std::size_t maxBytes)
{
    std::string out;
    out.reserve(std::min(text.size(), maxBytes) + 16);
    std::size_t i = 0;
    while (i < text.size())
    {
        if (out.size() >= maxBytes)
            return out + "... (" + std::to_string(text.size() - i) + " more bytes)";
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7f)
        {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x80)
            out += hexEscape(c);
        else
        {
            char32_t codePoint = 0;
            const std::size_t length = decode(text, i, codePoint);
            if (length == 0)
                out += hexEscape(c);
            else if (invisibleControl(codePoint))
                out += unicodeEscape(codePoint);
            else
                out.append(text, i, length);
            i += length ? length : 1;
            continue;
        }
        ++i;
    }
    return out;
}

} // namespace TokenBroker
