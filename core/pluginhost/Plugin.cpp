#include "Plugin.h"

#include <Poco/Exception.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace TokenBroker {

namespace {

/// The stride of the descriptor's `flows`: what the plugin reports, or the
/// original three-pointer flow when its descriptor predates the field or
/// leaves it 0. Throws PluginRefused for a stride no flow can have.
std::size_t flowStride(const tokenbroker_plugin* d)
{
    if (!TOKENBROKER_HAS_FIELD(d, tokenbroker_plugin, flow_struct_size) || d->flow_struct_size == 0)
        return TOKENBROKER_FLOW_V1_SIZE;
    const std::size_t stride = d->flow_struct_size;
    if (stride < TOKENBROKER_FLOW_V1_SIZE)
        throw PluginRefused("flow_struct_size " + std::to_string(stride) + " is smaller than the " +
                            std::to_string(TOKENBROKER_FLOW_V1_SIZE) + " bytes every ABI 1 flow has");
    if (stride % alignof(tokenbroker_flow) != 0)
        throw PluginRefused("flow_struct_size " + std::to_string(stride) + " is not a multiple of " +
                            std::to_string(alignof(tokenbroker_flow)));
    return stride;
}

/// Flow `index`, found by the plugin's stride. Only the bytes its stride
/// covers are read, so a field appended after the plugin was built reads as
/// zero, and a newer plugin's extra trailing fields are skipped.
tokenbroker_flow flowAt(const tokenbroker_plugin* d, std::size_t stride, std::size_t index)
{
    tokenbroker_flow flow{};
    std::memcpy(&flow, reinterpret_cast<const unsigned char*>(d->flows) + index * stride,
                std::min(stride, sizeof flow));
    return flow;
}

void requireDescriptor(const tokenbroker_plugin* d)
{
    if (!d)
        throw PluginRefused("the plugin declined this host (ABI version " +
                            std::to_string(TOKENBROKER_PLUGIN_ABI_VERSION) + ")");
    if (d->abi_version != TOKENBROKER_PLUGIN_ABI_VERSION)
        throw PluginRefused("plugin ABI version " + std::to_string(d->abi_version) + ", this host speaks version " +
                            std::to_string(TOKENBROKER_PLUGIN_ABI_VERSION));
    // Fields appended later within ABI 1 (login, flow_struct_size) are
    // optional: a plugin built against an older header is still served.
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
        _library = std::make_unique<TrustedLibrary>(path);
    }
    catch (const std::exception& e)
    {
        throw PluginRefused(e.what());
    }
    void* symbol = _library->symbol(TOKENBROKER_PLUGIN_SYMBOL);
    if (!symbol)
    {
        _library.reset();
        throw PluginRefused(std::string("not a tokenbroker plugin: no symbol ") + TOKENBROKER_PLUGIN_SYMBOL);
    }
    try
    {
        auto entry = reinterpret_cast<tokenbroker_plugin_entry>(symbol);
        _descriptor = entry(TOKENBROKER_PLUGIN_ABI_VERSION);
        requireDescriptor(_descriptor);
        const std::size_t stride = flowStride(_descriptor);
        for (std::size_t i = 0; i < _descriptor->flow_count; ++i)
        {
            const tokenbroker_flow flow = flowAt(_descriptor, stride, i);
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
        _library.reset();
        throw;
    }
}

Plugin::~Plugin() = default;

} // namespace TokenBroker
