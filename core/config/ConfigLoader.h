#pragma once

#include "Config.h"

#include <string>

namespace TokenBroker {

/// Reads and validates a tokenbroker YAML file into a Config. The core keys
/// (broker, defaults, outputs, ...) are checked here; flow-specific keys are
/// kept with their positions and checked against the plugin's schema later
/// (SettingsBinder). Throws ConfigErrors listing every problem found.
class ConfigLoader
{
public:
    /// Loads a file; relative paths inside are resolved against its directory.
    static Config loadFile(const std::string& path);

    /// Loads YAML text, reporting errors against `displayName` and resolving
    /// relative paths against `baseDirectory`.
    static Config loadString(const std::string& text, const std::string& displayName,
                             const std::string& baseDirectory);

    /// $TOKENBROKER_CONFIG, else the platform default
    /// (/etc/tokenbroker/tokenbroker.yaml, %ProgramData%\TokenBroker\tokenbroker.yaml).
    static std::string defaultPath();

    /// The platform's default state directory.
    static std::string defaultStateDir();

    /// "~/x" -> $HOME/x; relative -> baseDirectory/x; result normalised and absolute.
    static std::string resolvePath(const std::string& path, const std::string& baseDirectory);
};

} // namespace TokenBroker
