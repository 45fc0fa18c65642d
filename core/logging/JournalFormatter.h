#pragma once

#include <Poco/Formatter.h>

namespace TokenBroker {

/// Lines for journald's stream transport: "<N>" (the syslog severity, which
/// journald strips and files as PRIORITY=) before the text, and no time of
/// our own, since the journal stamps every entry. A message of several
/// lines (a hook's output) gets the prefix on each line, so none of them
/// falls back to journald's default priority.
class JournalFormatter : public Poco::Formatter
{
public:
    /// `inner` renders the text (e.g. "%s: %t" or a JSON object); this
    /// adds the prefixes.
    explicit JournalFormatter(Poco::AutoPtr<Poco::Formatter> inner);

    void format(const Poco::Message& message, std::string& text) override;

private:
    Poco::AutoPtr<Poco::Formatter> _inner;
};

} // namespace TokenBroker
