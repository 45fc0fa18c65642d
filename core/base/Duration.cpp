#include "Duration.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <cctype>
#include <limits>

namespace TokenBroker {

std::optional<std::int64_t> parseDuration(const std::string& text)
{
    if (text.empty())
        return std::nullopt;
    constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max() / 86400;
    std::int64_t total = 0;
    std::size_t i = 0;
    bool bareNumber = true;
    while (i < text.size())
    {
        if (!std::isdigit(static_cast<unsigned char>(text[i])))
            return std::nullopt;
        std::int64_t value = 0;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
        {
            value = value * 10 + (text[i] - '0');
            if (value > limit)
                return std::nullopt;
            ++i;
        }
        std::int64_t unit = 1;
        if (i < text.size())
        {
            bareNumber = false;
            switch (text[i])
            {
            case 's': unit = 1; break;
            case 'm': unit = 60; break;
            case 'h': unit = 3600; break;
            case 'd': unit = 86400; break;
            default: return std::nullopt;
            }
            ++i;
        }
        else if (!bareNumber)
        {
            return std::nullopt; // "1h30" is ambiguous
        }
        // Check before adding: value * unit alone may come close to INT64_MAX,
        // and a signed overflow would wrap to a negative duration.
        if (value * unit > limit - total)
            return std::nullopt;
        total += value * unit;
    }
    return total;
}

std::string formatUtcTime(std::int64_t unixSeconds)
{
    return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(unixSeconds)),
                                           "%Y-%m-%dT%H:%M:%SZ");
}

std::string formatDuration(std::int64_t seconds)
{
    if (seconds == 0)
        return "0s";
    std::string text;
    const std::pair<std::int64_t, char> units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
    for (const auto& [size, suffix] : units)
    {
        if (seconds >= size)
        {
            text += std::to_string(seconds / size) + suffix;
            seconds %= size;
        }
    }
    return text;
}

} // namespace TokenBroker
