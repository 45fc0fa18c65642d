#pragma once

#include <string>

namespace TokenBroker {

/// Absolute directory of the running executable.
std::string executableDirectory();

#ifdef _WIN32
/// Absolute path of the running executable, in the ordinary (not the
/// extended-length) form; throws std::runtime_error when Windows does not
/// say.
std::string executablePath();
#endif

} // namespace TokenBroker
