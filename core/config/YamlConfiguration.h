#pragma once

#include <Poco/Util/AbstractConfiguration.h>

#include "ConfigNode.h"

#include <map>
#include <mutex>

namespace TokenBroker {

/// Exposes a parsed YAML document through POCO's configuration API, so the
/// LoggingSubsystem, ${...} expansion and getInt() work on tokenbroker.yaml.
/// Nested mappings become dotted keys ("logging.loggers.root.level"); list
/// items are addressed by index ("broker.plugin_dirs.0"). Values set through
/// setRaw() shadow the document without changing it.
class YamlConfiguration : public Poco::Util::AbstractConfiguration
{
public:
    explicit YamlConfiguration(const ConfigNode& root);

protected:
    bool getRaw(const std::string& key, std::string& value) const override;
    void setRaw(const std::string& key, const std::string& value) override;
    void enumerate(const std::string& key, Keys& range) const override;
    void removeRaw(const std::string& key) override;

private:
    ConfigNode find(const std::string& key) const;

    ConfigNode _root;
    std::map<std::string, std::string> _overrides;
};

} // namespace TokenBroker
