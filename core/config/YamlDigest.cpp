#include "YamlDigest.h"

#include <cstdint>
#include <string>

namespace TokenBroker {

namespace {

void feed(Poco::DigestEngine& digest, char kind, const std::string& text)
{
    const std::uint64_t size = text.size();
    digest.update(kind);
    digest.update(&size, sizeof size);
    digest.update(text);
}

} // namespace

void digestYaml(const YAML::Node& node, Poco::DigestEngine& digest)
{
    switch (node.Type())
    {
    case YAML::NodeType::Scalar:
        feed(digest, 's', node.Tag());
        feed(digest, 's', node.Scalar());
        return;
    case YAML::NodeType::Sequence:
        feed(digest, 'q', node.Tag());
        feed(digest, 'n', std::to_string(node.size()));
        for (const auto& item : node)
            digestYaml(item, digest);
        return;
    case YAML::NodeType::Map:
        feed(digest, 'm', node.Tag());
        feed(digest, 'n', std::to_string(node.size()));
        for (const auto& entry : node)
        {
            digestYaml(entry.first, digest);
            digestYaml(entry.second, digest);
        }
        return;
    case YAML::NodeType::Null:
        feed(digest, '0', node.Tag());
        return;
    case YAML::NodeType::Undefined:
        feed(digest, 'u', "");
        return;
    }
}

} // namespace TokenBroker
