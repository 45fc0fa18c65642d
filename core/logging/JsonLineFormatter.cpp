#include "JsonLineFormatter.h"

#include "ProfileLog.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>

#include <sstream>

namespace TokenBroker {

namespace {

const char* levelName(Poco::Message::Priority priority)
{
    switch (priority)
    {
    case Poco::Message::PRIO_FATAL: return "fatal";
    case Poco::Message::PRIO_CRITICAL: return "critical";
    case Poco::Message::PRIO_ERROR: return "error";
    case Poco::Message::PRIO_WARNING: return "warning";
    case Poco::Message::PRIO_NOTICE: return "notice";
    case Poco::Message::PRIO_INFORMATION: return "information";
    case Poco::Message::PRIO_DEBUG: return "debug";
    default: return "trace";
    }
}

/// "tokenbroker.profile.NAME" is a profile's own logger (its plugin's and
/// its outputs' lines).
std::string profileOf(const Poco::Message& message)
{
    if (message.has(kProfileParameter))
        return message.get(kProfileParameter);
    const std::string prefix = "tokenbroker.profile.";
    const std::string& source = message.getSource();
    return source.rfind(prefix, 0) == 0 ? source.substr(prefix.size()) : std::string();
}

} // namespace

void JsonLineFormatter::format(const Poco::Message& message, std::string& text)
{
    Poco::JSON::Object record(Poco::JSON_PRESERVE_KEY_ORDER);
    record.set("time", Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ"));
    record.set("level", levelName(message.getPriority()));
    record.set("logger", message.getSource());
    const std::string profile = profileOf(message);
    std::string body = message.getText();
    if (!profile.empty())
    {
        record.set("profile", profile);
        // The text form's "NAME: " is the field now.
        if (message.has(kProfileParameter) && body.rfind(profile + ": ", 0) == 0)
            body.erase(0, profile.size() + 2);
    }
    record.set("message", body);
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& name : logFieldNames())
    {
        if (message.has(name))
            fields->set(name, message.get(name));
    }
    if (fields->size() > 0)
        record.set("fields", fields);
    std::ostringstream out;
    record.stringify(out);
    text = out.str();
}

} // namespace TokenBroker
