#pragma once

#include <cstddef>
#include <string>

namespace TokenBroker {

/// `text` made safe for one log line or a terminal: control characters
/// (C0, DEL, C1), line and paragraph separators, bidirectional overrides
/// and bytes that are not UTF-8 become visible escapes ("\n", "\x1b",
/// "\u202e"), and text beyond `maxBytes` is cut with a note of how much.
/// Everything a server or a plugin says passes through it, so that an
/// answer cannot forge log lines, recolour a terminal or hide its words.
std::string printableText(const std::string& text, std::size_t maxBytes = 1024);

} // namespace TokenBroker
