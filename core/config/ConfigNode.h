#pragma once

#include <yaml-cpp/mark.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace TokenBroker {

struct ConfigDocument;

/// A read-only node of a parsed configuration: a handle into a compact tree
/// (one array of nodes per document, children by index, an alias shares
/// its target). It replaces yaml-cpp's node tree, which for 10,000 profiles
/// took some 64 MiB of separately allocated nodes and most of `check`'s
/// time; this one is built from the parser's events in the same pass that
/// checks the document's bounds (YamlLimits).
///
/// A default-constructed node is undefined: what a missing key yields.
/// A node keeps its whole document alive; copyWithout() makes a small
/// standalone copy of part of it.
class ConfigNode
{
public:
    enum class Kind : std::uint8_t { Undefined, Null, Scalar, Sequence, Map };

    ConfigNode() = default;
    ConfigNode(std::shared_ptr<const ConfigDocument> document, std::uint32_t index);

    /// A lone scalar, as if read from YAML (a value taken from the environment).
    static ConfigNode fromText(const std::string& text);

    Kind kind() const;
    bool isDefined() const { return kind() != Kind::Undefined; }
    bool isNull() const { return kind() == Kind::Null; }
    bool isScalar() const { return kind() == Kind::Scalar; }
    bool isSequence() const { return kind() == Kind::Sequence; }
    bool isMap() const { return kind() == Kind::Map; }
    explicit operator bool() const { return isDefined(); }

    /// The text of a scalar; empty for any other kind.
    const std::string& scalar() const;
    /// "?" for a plain node, "!" for a quoted scalar, or the explicit tag.
    const std::string& tag() const;
    /// Where the node begins (for an alias: where its target does).
    YAML::Mark mark() const;
    /// Entries of a mapping, items of a list, 0 otherwise.
    std::size_t size() const;

    /// The value of the first entry with scalar key `key` (undefined if none
    /// or not a mapping).
    ConfigNode operator[](const std::string& key) const;
    /// A list's item (undefined if out of range or not a list).
    ConfigNode operator[](std::size_t index) const;

    /// A standalone deep copy that holds only this node's own part of the
    /// document; for a mapping, the top-level entries named in `droppedKeys`
    /// are left out.
    ConfigNode copyWithout(const std::vector<std::string>& droppedKeys = {}) const;

    /// What iteration yields, as yaml-cpp's iterators do: for a list the item
    /// itself, for a mapping an entry with `first` (key) and `second` (value).
    struct Item;
    class Iterator;
    Iterator begin() const;
    Iterator end() const;

private:
    ConfigNode child(std::size_t position) const;

    std::shared_ptr<const ConfigDocument> _document;
    std::uint32_t _index = 0;
};

struct ConfigNode::Item : ConfigNode
{
    ConfigNode first;
    ConfigNode second;
};

class ConfigNode::Iterator
{
public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Item;
    using difference_type = std::ptrdiff_t;
    using pointer = const Item*;
    using reference = const Item&;

    Iterator(ConfigNode owner, std::size_t position);

    const Item& operator*() const { return _item; }
    const Item* operator->() const { return &_item; }
    Iterator& operator++();
    bool operator==(const Iterator& other) const { return _position == other._position; }
    bool operator!=(const Iterator& other) const { return _position != other._position; }

private:
    void load();

    ConfigNode _owner;
    std::size_t _position;
    Item _item;
};

/// The storage behind ConfigNode. Nodes are stored in the order the parser
/// met them; a collection's children are a run of `children` (for a mapping:
/// key, value, key, value ...).
struct ConfigDocument
{
    struct Node
    {
        ConfigNode::Kind kind = ConfigNode::Kind::Null;
        std::uint32_t tag = 0;        ///< index into `tags`
        static constexpr std::uint32_t kNowhere = ~std::uint32_t(0);
        std::uint32_t line = kNowhere; ///< 0-based, as YAML::Mark; kNowhere: not read from a file
        std::uint32_t column = 0;
        std::uint32_t firstChild = 0; ///< index into `children`
        std::uint32_t childCount = 0; ///< entries (keys and values) for a mapping
        std::string text;             ///< a scalar's value
    };

    std::vector<Node> nodes;
    std::vector<std::uint32_t> children;
    std::vector<std::string> tags{std::string()};

    std::uint32_t tagIndex(const std::string& tag);
};

} // namespace TokenBroker
