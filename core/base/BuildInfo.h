#pragma once

namespace TokenBroker {

/// The source revision this binary was configured from (`git describe`),
/// or "unknown" outside a git checkout. Set when CMake configures, in one
/// generated file, so a new commit recompiles that file only.
const char* buildRevision();

} // namespace TokenBroker
