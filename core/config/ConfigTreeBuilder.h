#pragma once

#include "ConfigNode.h"

#include <yaml-cpp/eventhandler.h>

#include <memory>
#include <vector>

namespace TokenBroker {

/// Builds a ConfigNode tree from yaml-cpp's parser events: one pass, one
/// array of nodes, an alias sharing its target as yaml-cpp's own tree does.
/// Meant to receive the events YamlLimits has let through, so that what it
/// builds is already within the document's bounds.
class ConfigTreeBuilder : public YAML::EventHandler
{
public:
    /// `textBytes`: the size of the text to be read, from which the node
    /// arrays are sized once (a configuration has about a node per 8 bytes).
    explicit ConfigTreeBuilder(std::size_t textBytes = 0);

    /// The document's root; a null node when the text held no document.
    ConfigNode root() const;

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override;
    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value style) override;
    void OnSequenceEnd() override;
    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value style) override;
    void OnMapEnd() override;

private:
    std::uint32_t addNode(ConfigNode::Kind kind, const YAML::Mark& mark, const std::string& tag);
    void attach(std::uint32_t index);
    void remember(YAML::anchor_t anchor, std::uint32_t index);
    void open(ConfigNode::Kind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor);
    void close();

    std::shared_ptr<ConfigDocument> _document;
    /// Open collections, innermost last: the node, its anchor, its children
    /// so far. `_pending` keeps its vectors between uses (no allocation per
    /// collection once the deepest level has been reached).
    struct Open
    {
        std::uint32_t node;
        YAML::anchor_t anchor;
    };
    std::vector<Open> _open;
    std::vector<std::vector<std::uint32_t>> _pending;
    std::vector<std::uint32_t> _anchors;
    static constexpr std::uint32_t kNone = ~std::uint32_t(0);
    std::uint32_t _root = kNone;
};

} // namespace TokenBroker
