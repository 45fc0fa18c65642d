#pragma once

#include "FlowSchema.h"
#include "TrustedLibrary.h"

#include <tokenbroker/plugin.h>


#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace TokenBroker {

/// Why a plugin library was not loaded.
class PluginRefused : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// One loaded and validated plugin library. Flow instances keep a
/// shared_ptr to it, so the library stays mapped while they live.
class Plugin
{
public:
    struct Flow
    {
        std::string name;
        std::string summary;
        FlowSchema schema;
    };

    /// Loads the library at an absolute path, judging the very file loaded
    /// and the directories above it (TrustedLibrary.h), and checks its
    /// descriptor; throws PluginRefused with the reason.
    explicit Plugin(const std::string& path);
    ~Plugin();
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    const std::string& path() const { return _path; }
    std::string name() const { return _descriptor->name; }
    std::string version() const { return _descriptor->version; }
    const std::vector<Flow>& flows() const { return _flows; }
    const tokenbroker_plugin& descriptor() const { return *_descriptor; }

private:
    std::string _path;
    std::unique_ptr<TrustedLibrary> _library;
    const tokenbroker_plugin* _descriptor = nullptr;
    std::vector<Flow> _flows;
};

} // namespace TokenBroker
