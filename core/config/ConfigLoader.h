#pragma once

#include "Config.h"

#include <cstddef>
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

    /// Like loadFile, but errors in the core keys are left in Config::errors
    /// for LoadedConfig to report together with the flows' settings. Throws
    /// ConfigErrors only when there is nothing to check further: the file
    /// cannot be read, is not YAML, or exceeds YamlLimits.
    static Config parseFile(const std::string& path);

    /// Loads YAML text, reporting errors against `displayName` and resolving
    /// relative paths against `baseDirectory`.
    static Config loadString(const std::string& text, const std::string& displayName,
                             const std::string& baseDirectory);

    /// loadString's counterpart of parseFile.
    static Config parseString(const std::string& text, const std::string& displayName,
                              const std::string& baseDirectory);

    /// The most profiles one configuration may define.
    static constexpr std::size_t kMaxProfiles = 20000;

    /// $TOKENBROKER_CONFIG, else the platform default
    /// (/etc/tokenbroker/tokenbroker.yaml, %ProgramData%\TokenBroker\tokenbroker.yaml).
    static std::string defaultPath();

    /// The platform's default state directory.
    static std::string defaultStateDir();

    /// "~/x" -> $HOME/x; relative -> baseDirectory/x; result normalised and absolute.
    static std::string resolvePath(const std::string& path, const std::string& baseDirectory);

private:
    static Config parseText(const std::string& text, const std::string& displayName,
                            const std::string& baseDirectory, const std::string& configFile);
};

} // namespace TokenBroker
