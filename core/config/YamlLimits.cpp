#include "YamlLimits.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <vector>

namespace TokenBroker {

namespace {

/// A bound was crossed: ends the walk at once.
struct LimitExceeded
{
    YAML::Mark mark;
    std::string message;
};

/// How much of the document a node stands for once aliases are expanded.
struct Extent
{
    std::size_t nodes = 0;
    std::size_t bytes = 0;

    Extent& operator+=(const Extent& other)
    {
        nodes += other.nodes;
        bytes += other.bytes;
        return *this;
    }
};

class LimitChecker : public YAML::EventHandler
{
public:
    LimitChecker(const YamlLimits& limits, YAML::EventHandler* consumer)
        : _limits(limits)
        , _consumer(consumer)
    {
    }

    void OnDocumentStart(const YAML::Mark& mark) override
    {
        if (_consumer)
            _consumer->OnDocumentStart(mark);
    }

    void OnDocumentEnd() override
    {
        if (_consumer)
            _consumer->OnDocumentEnd();
    }

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override
    {
        takeSlot(mark);
        leaf(mark, anchor, Extent{1, 0});
        if (_consumer)
            _consumer->OnNull(mark, anchor);
    }

    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override
    {
        takeSlot(mark);
        // An alias stands for a whole copy of what it names.
        add(mark, anchor < _anchors.size() ? _anchors[anchor] : Extent{1, 0}, true);
        if (_consumer)
            _consumer->OnAlias(mark, anchor);
    }

    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override
    {
        if (takeSlot(mark) && value.size() > _limits.keyBytes)
            throw LimitExceeded{mark, "a key of " + describeBytes(value.size()) + " is longer than the " +
                                          std::to_string(_limits.keyBytes) + " bytes a key may have"};
        if (value.size() > _limits.scalarBytes)
            throw LimitExceeded{mark, "a value of " + describeBytes(value.size()) + " is larger than the " +
                                          describeBytes(_limits.scalarBytes) + " a value may have"};
        leaf(mark, anchor, Extent{1, value.size()});
        if (_consumer)
            _consumer->OnScalar(mark, tag, anchor, value);
    }

    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value style) override
    {
        open(mark, anchor, false);
        if (_consumer)
            _consumer->OnSequenceStart(mark, tag, anchor, style);
    }

    void OnSequenceEnd() override
    {
        close();
        if (_consumer)
            _consumer->OnSequenceEnd();
    }

    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value style) override
    {
        open(mark, anchor, true);
        if (_consumer)
            _consumer->OnMapStart(mark, tag, anchor, style);
    }

    void OnMapEnd() override
    {
        close();
        if (_consumer)
            _consumer->OnMapEnd();
    }

private:
    struct Frame
    {
        YAML::Mark mark;
        YAML::anchor_t anchor = 0;
        bool isMap = false;
        bool nextIsKey = true;
        Extent extent;
    };

    /// Whether the node that begins here is a mapping key.
    bool takeSlot(const YAML::Mark&)
    {
        if (_frames.empty() || !_frames.back().isMap)
            return false;
        const bool isKey = _frames.back().nextIsKey;
        _frames.back().nextIsKey = !isKey;
        return isKey;
    }

    void remember(YAML::anchor_t anchor, const Extent& extent)
    {
        if (anchor == YAML::NullAnchor)
            return;
        if (_anchors.size() <= anchor)
            _anchors.resize(anchor + 1);
        _anchors[anchor] = extent;
    }

    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, const Extent& extent)
    {
        remember(anchor, extent);
        add(mark, extent, false);
    }

    /// Counts `extent` towards the enclosing node and the whole document.
    void add(const YAML::Mark& mark, const Extent& extent, bool alias)
    {
        _total += extent;
        if (!_frames.empty())
            _frames.back().extent += extent;
        if (_total.nodes > _limits.expandedNodes || _total.bytes > _limits.expandedBytes)
        {
            const std::string what = alias ? "with its aliases expanded, the configuration grows past "
                                           : "the configuration grows past ";
            throw LimitExceeded{mark, what +
                                          (_total.nodes > _limits.expandedNodes
                                               ? std::to_string(_limits.expandedNodes) + " values"
                                               : describeBytes(_limits.expandedBytes)) +
                                          (alias ? " (an alias bomb?)" : "")};
        }
    }

    void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool isMap)
    {
        takeSlot(mark);
        if (static_cast<int>(_frames.size()) >= _limits.depth)
            throw LimitExceeded{mark, "mappings and lists nest deeper than " + std::to_string(_limits.depth) +
                                          " levels here"};
        Frame frame;
        frame.mark = mark;
        frame.anchor = anchor;
        frame.isMap = isMap;
        _frames.push_back(frame);
        add(mark, Extent{1, 0}, false);
    }

    void close()
    {
        const Frame frame = _frames.back();
        _frames.pop_back();
        remember(frame.anchor, frame.extent);
        // The document's total had each part as it came; the parent now
        // takes the whole, so that an alias of it counts it all.
        if (!_frames.empty())
            _frames.back().extent += frame.extent;
    }

    const YamlLimits& _limits;
    YAML::EventHandler* _consumer;
    std::vector<Frame> _frames;
    std::vector<Extent> _anchors;
    Extent _total;
};

} // namespace

bool checkYamlLimits(const std::string& text, const std::string& displayName, Diagnostics& diagnostics,
                     const YamlLimits& limits)
{
    return readYamlWithinLimits(text, displayName, diagnostics, nullptr, limits);
}

bool readYamlWithinLimits(const std::string& text, const std::string& displayName, Diagnostics& diagnostics,
                          YAML::EventHandler* consumer, const YamlLimits& limits)
{
    auto at = [&](const YAML::Mark& mark) {
        return mark.is_null() ? SourceLocation{displayName, 1, 1}
                              : SourceLocation{displayName, mark.line + 1, mark.column + 1};
    };
    if (text.size() > limits.fileBytes)
    {
        diagnostics.error(SourceLocation{displayName, 1, 1}, "the file is " + describeBytes(text.size()) +
                                                                 "; a configuration may have at most " +
                                                                 describeBytes(limits.fileBytes));
        return false;
    }
    std::istringstream stream(text);
    try
    {
        YAML::Parser parser(stream);
        LimitChecker checker(limits, consumer);
        // YAML::Load reads the first document only; so does this.
        parser.HandleNextDocument(checker);
        return true;
    }
    catch (const LimitExceeded& e)
    {
        diagnostics.error(at(e.mark), e.message);
    }
    catch (const YAML::ParserException& e)
    {
        diagnostics.error(at(e.mark), e.msg);
    }
    return false;
}

std::string describeBytes(std::size_t bytes)
{
    if (bytes < 1024)
        return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
    const char* units[] = {"KiB", "MiB", "GiB"};
    double value = static_cast<double>(bytes) / 1024.0;
    int unit = 0;
    while (value >= 1024.0 && unit < 2)
    {
        value /= 1024.0;
        ++unit;
    }
    std::ostringstream out;
    out.precision(value < 10 ? 2 : 3);
    out << value << " " << units[unit];
    return out.str();
}

} // namespace TokenBroker
