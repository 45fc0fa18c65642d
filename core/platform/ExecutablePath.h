#pragma once

#include <string>

namespace TokenBroker {

/// Absolute directory of the running executable.
std::string executableDirectory();

} // namespace TokenBroker
