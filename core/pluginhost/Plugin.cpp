#include "Plugin.h"

#include <Poco/Exception.h>

#include <cstddef>

namespace TokenBroker {

namespace {

void requireDescriptor(const tokenbroker_plugin* d)
{
    if (!d)
        throw PluginRefused("the plugin declined this host (ABI version " +
                            std::to_string(TOKENBROKER_PLUGIN_ABI_VERSION) + ")");
    if (d->abi_version != TOKENBROKER_PLUGIN_ABI_VERSION)
        throw PluginRefused("plugin ABI version " + std::to_string(d->abi_version) + ", this host speaks version " +
                            std::to_string(TOKENBROKER_PLUGIN_ABI_VERSION));
    // Fields appended later within ABI 1 (login) are optional: a plugin
    // built against an older header is still served.
    constexpr std::size_t minimumSize = offsetof(tokenbroker_plugin, login);
    if (d->struct_size < minimumSize)
        throw PluginRefused("plugin descriptor is too small (" + std::to_string(d->struct_size) + " bytes, need " +
                            std::to_string(minimumSize) + ")");
    if (!d->name || !*d->name || !d->version)
        throw PluginRefused("plugin descriptor has no name or version");
    if (!d->create || !d->destroy || !d->acquire || !d->refresh || !d->describe || !d->free_string)
        throw PluginRefused("plugin descriptor lacks a required function");
    if (!d->flows || d->flow_count == 0)
        throw PluginRefused("plugin provides no flows");
}

} // namespace

Plugin::Plugin(const std::string& path)
    : _path(path)
{
    try
    {
        _library.load(path, Poco::SharedLibrary::SHLIB_LOCAL);
    }
    catch (const Poco::Exception& e)
    {
        throw PluginRefused("cannot load: " + e.message());
    }
    if (!_library.hasSymbol(TOKENBROKER_PLUGIN_SYMBOL))
    {
        _library.unload();
        throw PluginRefused(std::string("not a tokenbroker plugin: no symbol ") + TOKENBROKER_PLUGIN_SYMBOL);
    }
    try
    {
        auto entry = reinterpret_cast<tokenbroker_plugin_entry>(_library.getSymbol(TOKENBROKER_PLUGIN_SYMBOL));
        _descriptor = entry(TOKENBROKER_PLUGIN_ABI_VERSION);
        requireDescriptor(_descriptor);
        for (std::size_t i = 0; i < _descriptor->flow_count; ++i)
        {
            const tokenbroker_flow& flow = _descriptor->flows[i];
            if (!flow.name || !*flow.name)
                throw PluginRefused("flow #" + std::to_string(i) + " has no name");
            try
            {
                _flows.push_back(Flow{flow.name, flow.summary ? flow.summary : "",
                                      FlowSchema::parse(flow.settings_schema ? flow.settings_schema : "{}")});
            }
            catch (const std::invalid_argument& e)
            {
                throw PluginRefused(std::string("flow '") + flow.name + "': " + e.what());
            }
        }
    }
    catch (...)
    {
        _library.unload();
        throw;
    }
}

Plugin::~Plugin()
{
    if (_library.isLoaded())
        _library.unload();
}

} // namespace TokenBroker
