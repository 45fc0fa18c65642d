#pragma once

#include <optional>
#include <string>

namespace TokenBroker::Test {

/// Sets (or, with nothing, removes) a variable of this process's
/// environment, where both std::getenv and the OS calls see it.
void setEnvironmentVariable(const std::string& name, const std::optional<std::string>& value);

} // namespace TokenBroker::Test
