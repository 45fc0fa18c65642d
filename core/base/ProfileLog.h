#pragma once

#include <Poco/Format.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <string>
#include <utility>
#include <vector>

namespace TokenBroker {

/// The message parameter that names the profile a log line is about, and
/// the others a line may carry, for formatters that keep them as fields
/// (JsonLineFormatter). POCO 1.11 cannot list a message's parameters, so
/// these names are the list.
constexpr const char* kProfileParameter = "profile";
inline const std::vector<std::string>& logFieldNames()
{
    static const std::vector<std::string> names = {"result", "attempt", "expires_at", "next_refresh", "next_try"};
    return names;
}

/// Named values of one line, e.g. {{"result", "ok"}}; names from logFieldNames().
using LogFields = std::vector<std::pair<std::string, std::string>>;

/// Logs "PROFILE: TEXT" (TEXT = Poco::format(format, args...)), with the
/// profile and `fields` also kept as the message's parameters.
template <typename... Args>
void logAboutProfile(Poco::Logger& logger, Poco::Message::Priority priority, const std::string& profile,
                     const LogFields& fields, const std::string& format, Args&&... args)
{
    if (!logger.is(priority))
        return;
    std::string text;
    if constexpr (sizeof...(Args) == 0)
        text = format;
    else
        text = Poco::format(format, std::forward<Args>(args)...);
    Poco::Message message(logger.name(), profile + ": " + text, priority);
    message.set(kProfileParameter, profile);
    for (const auto& [name, value] : fields)
        message.set(name, value);
    logger.log(message);
}

} // namespace TokenBroker
