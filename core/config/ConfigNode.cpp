#include "ConfigNode.h"

#include <algorithm>

namespace TokenBroker {

namespace {

const std::string kEmpty;

/// Copies the subtree at `index` of `from` into `to`; returns its new index.
/// An alias target met twice is copied once, so the copy shares as the
/// original does.
std::uint32_t copyNode(const ConfigDocument& from, std::uint32_t index, ConfigDocument& to,
                       std::vector<std::uint32_t>& copied, const std::vector<std::string>* droppedKeys)
{
    constexpr std::uint32_t notCopied = ~std::uint32_t(0);
    if (!droppedKeys && copied[index] != notCopied)
        return copied[index];
    const ConfigDocument::Node& node = from.nodes[index];
    std::vector<std::uint32_t> children;
    for (std::uint32_t i = 0; i < node.childCount; ++i)
    {
        const std::uint32_t child = from.children[node.firstChild + i];
        const bool isKey = node.kind == ConfigNode::Kind::Map && i % 2 == 0;
        if (droppedKeys && isKey && from.nodes[child].kind == ConfigNode::Kind::Scalar &&
            std::find(droppedKeys->begin(), droppedKeys->end(), from.nodes[child].text) != droppedKeys->end())
        {
            ++i;  // and its value
            continue;
        }
        children.push_back(copyNode(from, child, to, copied, nullptr));
    }
    ConfigDocument::Node copy = node;
    copy.tag = to.tagIndex(from.tags[node.tag]);
    copy.firstChild = static_cast<std::uint32_t>(to.children.size());
    copy.childCount = static_cast<std::uint32_t>(children.size());
    to.children.insert(to.children.end(), children.begin(), children.end());
    to.nodes.push_back(std::move(copy));
    const auto at = static_cast<std::uint32_t>(to.nodes.size() - 1);
    if (!droppedKeys)
        copied[index] = at;
    return at;
}

} // namespace

std::uint32_t ConfigDocument::tagIndex(const std::string& tag)
{
    const auto it = std::find(tags.begin(), tags.end(), tag);
    if (it != tags.end())
        return static_cast<std::uint32_t>(it - tags.begin());
    tags.push_back(tag);
    return static_cast<std::uint32_t>(tags.size() - 1);
}

ConfigNode::ConfigNode(std::shared_ptr<const ConfigDocument> document, std::uint32_t index)
    : _document(std::move(document))
    , _index(index)
{
}

ConfigNode ConfigNode::fromText(const std::string& text)
{
    auto document = std::make_shared<ConfigDocument>();
    ConfigDocument::Node node;
    node.kind = Kind::Scalar;
    node.tag = document->tagIndex("?");
    node.text = text;
    document->nodes.push_back(std::move(node));
    return ConfigNode(std::move(document), 0);
}

ConfigNode::Kind ConfigNode::kind() const
{
    return _document ? _document->nodes[_index].kind : Kind::Undefined;
}

const std::string& ConfigNode::scalar() const
{
    return isScalar() ? _document->nodes[_index].text : kEmpty;
}

const std::string& ConfigNode::tag() const
{
    return _document ? _document->tags[_document->nodes[_index].tag] : kEmpty;
}

YAML::Mark ConfigNode::mark() const
{
    if (!_document || _document->nodes[_index].line == ConfigDocument::Node::kNowhere)
        return YAML::Mark::null_mark();
    YAML::Mark mark;
    mark.line = static_cast<int>(_document->nodes[_index].line);
    mark.column = static_cast<int>(_document->nodes[_index].column);
    return mark;
}

std::size_t ConfigNode::size() const
{
    if (!_document)
        return 0;
    const ConfigDocument::Node& node = _document->nodes[_index];
    if (node.kind == Kind::Map)
        return node.childCount / 2;
    return node.kind == Kind::Sequence ? node.childCount : 0;
}

ConfigNode ConfigNode::child(std::size_t position) const
{
    return ConfigNode(_document, _document->children[_document->nodes[_index].firstChild + position]);
}

ConfigNode ConfigNode::operator[](const std::string& key) const
{
    if (!isMap())
        return ConfigNode();
    const ConfigDocument::Node& node = _document->nodes[_index];
    for (std::uint32_t i = 0; i < node.childCount; i += 2)
    {
        const ConfigDocument::Node& keyNode = _document->nodes[_document->children[node.firstChild + i]];
        if (keyNode.kind == Kind::Scalar && keyNode.text == key)
            return child(i + 1);
    }
    return ConfigNode();
}

ConfigNode ConfigNode::operator[](std::size_t index) const
{
    if (!isSequence() || index >= size())
        return ConfigNode();
    return child(index);
}

ConfigNode ConfigNode::copyWithout(const std::vector<std::string>& droppedKeys) const
{
    if (!_document)
        return ConfigNode();
    auto copy = std::make_shared<ConfigDocument>();
    std::vector<std::uint32_t> copied(_document->nodes.size(), ~std::uint32_t(0));
    const std::uint32_t root = copyNode(*_document, _index, *copy, copied, &droppedKeys);
    return ConfigNode(std::move(copy), root);
}

ConfigNode::Iterator ConfigNode::begin() const
{
    return Iterator(*this, 0);
}

ConfigNode::Iterator ConfigNode::end() const
{
    return Iterator(*this, size());
}

ConfigNode::Iterator::Iterator(ConfigNode owner, std::size_t position)
    : _owner(std::move(owner))
    , _position(position)
{
    load();
}

ConfigNode::Iterator& ConfigNode::Iterator::operator++()
{
    ++_position;
    load();
    return *this;
}

void ConfigNode::Iterator::load()
{
    if (_position >= _owner.size())
    {
        _item = Item();
        return;
    }
    if (_owner.isMap())
    {
        _item.first = _owner.child(2 * _position);
        _item.second = _owner.child(2 * _position + 1);
    }
    else
        static_cast<ConfigNode&>(_item) = _owner.child(_position);
}

} // namespace TokenBroker
