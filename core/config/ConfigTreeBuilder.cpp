#include "ConfigTreeBuilder.h"

#include <yaml-cpp/exceptions.h>

#include <algorithm>

namespace TokenBroker {

ConfigTreeBuilder::ConfigTreeBuilder(std::size_t textBytes)
    : _document(std::make_shared<ConfigDocument>())
{
    // Capped: a file of hostile size is refused by YamlLimits long before
    // it could fill this.
    const std::size_t expected = std::min<std::size_t>(textBytes / 8 + 1, 1 << 19);
    _document->nodes.reserve(expected);
    _document->children.reserve(expected);
}

ConfigNode ConfigTreeBuilder::root() const
{
    if (_root == kNone)
    {
        auto empty = std::make_shared<ConfigDocument>();
        empty->nodes.emplace_back();  // a null node, as yaml-cpp's Load gives for no document
        return ConfigNode(std::move(empty), 0);
    }
    return ConfigNode(_document, _root);
}

std::uint32_t ConfigTreeBuilder::addNode(ConfigNode::Kind kind, const YAML::Mark& mark, const std::string& tag)
{
    ConfigDocument::Node node;
    node.kind = kind;
    node.tag = tag.empty() ? 0 : _document->tagIndex(tag);
    node.line = static_cast<std::uint32_t>(mark.line);
    node.column = static_cast<std::uint32_t>(mark.column);
    _document->nodes.push_back(std::move(node));
    return static_cast<std::uint32_t>(_document->nodes.size() - 1);
}

void ConfigTreeBuilder::attach(std::uint32_t index)
{
    if (_open.empty())
    {
        if (_root == kNone)
            _root = index;
        return;
    }
    _pending[_open.size() - 1].push_back(index);
}

void ConfigTreeBuilder::remember(YAML::anchor_t anchor, std::uint32_t index)
{
    if (anchor == YAML::NullAnchor)
        return;
    if (_anchors.size() <= anchor)
        _anchors.resize(anchor + 1, kNone);
    _anchors[anchor] = index;
}

void ConfigTreeBuilder::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor)
{
    const std::uint32_t index = addNode(ConfigNode::Kind::Null, mark, "");
    remember(anchor, index);
    attach(index);
}

void ConfigTreeBuilder::OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor)
{
    // An anchor is remembered once its node is complete, so an alias inside
    // the node it names (a cycle, which would send every walk of the tree
    // round for ever) finds nothing here.
    if (anchor >= _anchors.size() || _anchors[anchor] == kNone)
        throw YAML::ParserException(mark, "an alias may not refer to a node that contains it");
    attach(_anchors[anchor]);
}

void ConfigTreeBuilder::OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                                 const std::string& value)
{
    const std::uint32_t index = addNode(ConfigNode::Kind::Scalar, mark, tag);
    _document->nodes[index].text = value;
    remember(anchor, index);
    attach(index);
}

void ConfigTreeBuilder::OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                                        YAML::EmitterStyle::value)
{
    open(ConfigNode::Kind::Sequence, mark, tag, anchor);
}

void ConfigTreeBuilder::OnSequenceEnd()
{
    close();
}

void ConfigTreeBuilder::OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                                   YAML::EmitterStyle::value)
{
    open(ConfigNode::Kind::Map, mark, tag, anchor);
}

void ConfigTreeBuilder::OnMapEnd()
{
    close();
}

void ConfigTreeBuilder::open(ConfigNode::Kind kind, const YAML::Mark& mark, const std::string& tag,
                             YAML::anchor_t anchor)
{
    const std::uint32_t index = addNode(kind, mark, tag);
    attach(index);
    _open.push_back(Open{index, anchor});
    if (_pending.size() < _open.size())
        _pending.emplace_back();
    _pending[_open.size() - 1].clear();
}

void ConfigTreeBuilder::close()
{
    const Open done = _open.back();
    std::vector<std::uint32_t>& children = _pending[_open.size() - 1];
    ConfigDocument::Node& node = _document->nodes[done.node];
    node.firstChild = static_cast<std::uint32_t>(_document->children.size());
    node.childCount = static_cast<std::uint32_t>(children.size());
    _document->children.insert(_document->children.end(), children.begin(), children.end());
    _open.pop_back();
    remember(done.anchor, done.node);
}

} // namespace TokenBroker
