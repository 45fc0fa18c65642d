#include "PluginRegistry.h"

#include "ExecutablePath.h"
#include "FileSystem.h"
#include "PluginTrust.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/SharedLibrary.h>

#include <algorithm>

namespace TokenBroker {

void PluginRegistry::loadDirectories(const std::vector<std::string>& directories)
{
    for (const auto& directory : directories)
    {
        if (!isDirectory(directory))
        {
            _refusals.push_back({directory, "plugin directory does not exist"});
            continue;
        }
        if (auto reason = untrustedReason(directory))
        {
            _refusals.push_back({directory, *reason});
            continue;
        }
        std::vector<std::string> files;
        for (Poco::DirectoryIterator it(directory), end; it != end; ++it)
        {
            if (it.path().getExtension() == Poco::SharedLibrary::suffix().substr(1) && it->isFile())
                files.push_back(it.path().absolute().toString());
        }
        std::sort(files.begin(), files.end());
        for (const auto& file : files)
            loadFile(file);
    }
}

void PluginRegistry::loadFile(const std::string& path)
{
    // Plugin judges the file as it loads it (TrustedLibrary.h).
    std::shared_ptr<Plugin> plugin;
    try
    {
        plugin = std::make_shared<Plugin>(path);
    }
    catch (const PluginRefused& e)
    {
        _refusals.push_back({path, e.what()});
        return;
    }
    for (const auto& flow : plugin->flows())
    {
        if (auto existing = findFlow(flow.name))
        {
            _refusals.push_back({path, "flow '" + flow.name + "' is already provided by " + existing->plugin->path()});
            return;
        }
    }
    _plugins.push_back(plugin);
}

std::optional<PluginRegistry::FlowRef> PluginRegistry::findFlow(const std::string& name) const
{
    for (const auto& plugin : _plugins)
    {
        for (const auto& flow : plugin->flows())
        {
            if (flow.name == name)
                return FlowRef{plugin, &flow};
        }
    }
    return std::nullopt;
}

std::vector<std::string> PluginRegistry::flowNames() const
{
    std::vector<std::string> names;
    for (const auto& plugin : _plugins)
    {
        for (const auto& flow : plugin->flows())
            names.push_back(flow.name);
    }
    return names;
}

std::vector<std::string> PluginRegistry::defaultDirectories()
{
    Poco::Path dir(executableDirectory());
    dir.makeDirectory();
    dir.popDirectory();
    dir.pushDirectory("lib");
    dir.pushDirectory("tokenbroker");
    dir.pushDirectory("plugins");
    return {dir.toString()};
}

} // namespace TokenBroker
