#include "JournalFormatter.h"

#include "SyslogPriority.h"

namespace TokenBroker {

JournalFormatter::JournalFormatter(Poco::AutoPtr<Poco::Formatter> inner)
    : _inner(std::move(inner))
{
}

void JournalFormatter::format(const Poco::Message& message, std::string& text)
{
    std::string body;
    _inner->format(message, body);
    const std::string prefix = "<" + std::to_string(syslogSeverity(message.getPriority())) + ">";
    text = prefix;
    for (char c : body)
    {
        text += c;
        if (c == '\n')
            text += prefix;
    }
}

} // namespace TokenBroker
