#pragma once

#include <Poco/Formatter.h>

namespace TokenBroker {

/// `logging.format: json`: each message as one JSON object on one line, for
/// log pipelines: {"time", "level", "logger", "profile", "message",
/// "fields"}. `time` is UTC with milliseconds; `level` POCO's priority in
/// lower case (warning, information, ...); `profile` the profile the line is
/// about, or absent; `fields` the message's other named parameters. A
/// message of several lines (a hook's output) stays one record: its line
/// breaks are escaped like any other control character.
class JsonLineFormatter : public Poco::Formatter
{
public:
    void format(const Poco::Message& message, std::string& text) override;
};

} // namespace TokenBroker
