#pragma once

#include <string>

namespace TokenBroker::Test {

/// True when `part` occurs in `text` (for assertions on output and logs).
inline bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace TokenBroker::Test
