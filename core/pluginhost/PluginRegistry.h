#pragma once

#include "Plugin.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace TokenBroker {

/// The plugins found in the configured directories, and the ones refused.
class PluginRegistry
{
public:
    struct Refusal
    {
        std::string path;
        std::string reason;
    };

    struct FlowRef
    {
        std::shared_ptr<Plugin> plugin;
        const Plugin::Flow* flow = nullptr;
    };

    /// Loads every shared library in each directory (sorted by name). A
    /// directory or file writable by others than its owner, or owned by
    /// someone other than root or this process's user, is refused before
    /// anything in it is loaded. A missing directory is a refusal too.
    void loadDirectories(const std::vector<std::string>& directories);

    /// Loads one library, judging the file and every directory above it
    /// (TrustedLibrary.h); a refusal is recorded, never thrown.
    void loadFile(const std::string& path);

    const std::vector<std::shared_ptr<Plugin>>& plugins() const { return _plugins; }
    const std::vector<Refusal>& refusals() const { return _refusals; }

    std::optional<FlowRef> findFlow(const std::string& name) const;
    std::vector<std::string> flowNames() const;

    /// <directory of the executable>/../lib/tokenbroker/plugins
    static std::vector<std::string> defaultDirectories();

private:

    std::vector<std::shared_ptr<Plugin>> _plugins;
    std::vector<Refusal> _refusals;
};


} // namespace TokenBroker
