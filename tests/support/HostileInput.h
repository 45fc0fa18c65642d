#pragma once

#include <string>

namespace TokenBroker::Test {

/// The classic "billion laughs" in YAML: top-level keys a..i, nine levels of
/// nine aliases, 9^9 values once expanded, in under a kilobyte. The bound
/// of YamlLimits is crossed at line 6 (`f:`), column 8, its first `*e`.
std::string yamlAliasBomb();

/// Line and column, in a file that is `prefix` + yamlAliasBomb(), where the
/// bomb is refused ("L:C").
std::string aliasBombPosition(const std::string& prefix);

} // namespace TokenBroker::Test
