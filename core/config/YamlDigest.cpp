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

void digestYaml(const ConfigNode& node, Poco::DigestEngine& digest)
{
    switch (node.kind())
    {
    case ConfigNode::Kind::Scalar:
        feed(digest, 's', node.tag());
        feed(digest, 's', node.scalar());
        return;
    case ConfigNode::Kind::Sequence:
        feed(digest, 'q', node.tag());
        feed(digest, 'n', std::to_string(node.size()));
        for (const auto& item : node)
            digestYaml(item, digest);
        return;
    case ConfigNode::Kind::Map:
        feed(digest, 'm', node.tag());
        feed(digest, 'n', std::to_string(node.size()));
        for (const auto& entry : node)
        {
            digestYaml(entry.first, digest);
            digestYaml(entry.second, digest);
        }
        return;
    case ConfigNode::Kind::Null:
        feed(digest, '0', node.tag());
        return;
    case ConfigNode::Kind::Undefined:
        feed(digest, 'u', "");
        return;
    }
}

} // namespace TokenBroker
