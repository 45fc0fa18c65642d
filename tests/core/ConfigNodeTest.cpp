// The compact configuration tree against yaml-cpp's own node tree, the
// reader it replaced: the same kinds, tags, scalars, marks and shapes for
// every kind of YAML a configuration is written in, aliases shared, and the
// differences that are deliberate (a cycle is refused, a copy is small).

#include <boost/test/unit_test.hpp>

#include "ConfigErrorLines.h"
#include "ConfigLoader.h"
#include "ConfigTreeBuilder.h"
#include "YamlLimits.h"
#include "YamlReader.h"

#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string>
#include <vector>

using namespace TokenBroker;
using TokenBroker::Test::configErrorLines;

namespace {

ConfigNode parseTree(const std::string& text)
{
    Diagnostics diagnostics;
    ConfigTreeBuilder builder;
    const bool ok = readYamlWithinLimits(text, "t.yaml", diagnostics, &builder);
    BOOST_TEST_REQUIRE(ok, (diagnostics.errors().empty() ? std::string() : diagnostics.errors().front().what()));
    return builder.root();
}

ConfigNode::Kind kindOf(const YAML::Node& node)
{
    switch (node.Type())
    {
    case YAML::NodeType::Null: return ConfigNode::Kind::Null;
    case YAML::NodeType::Scalar: return ConfigNode::Kind::Scalar;
    case YAML::NodeType::Sequence: return ConfigNode::Kind::Sequence;
    case YAML::NodeType::Map: return ConfigNode::Kind::Map;
    default: return ConfigNode::Kind::Undefined;
    }
}

/// Compares two trees node by node; returns how many nodes it compared.
std::size_t compare(const YAML::Node& expected, const ConfigNode& actual, const std::string& path)
{
    BOOST_TEST_REQUIRE((kindOf(expected) == actual.kind()), path);
    BOOST_TEST(expected.Tag() == actual.tag(), path);
    BOOST_TEST(expected.Mark().line == actual.mark().line, path);
    BOOST_TEST(expected.Mark().column == actual.mark().column, path);
    if (expected.IsScalar())
        BOOST_TEST(expected.Scalar() == actual.scalar(), path);
    std::size_t compared = 1;
    if (expected.IsSequence() || expected.IsMap())
    {
        BOOST_TEST_REQUIRE(expected.size() == actual.size(), path);
        auto mine = actual.begin();
        for (auto theirs = expected.begin(); theirs != expected.end(); ++theirs, ++mine)
        {
            if (expected.IsMap())
            {
                const YAML::Node key = theirs->first;
                const YAML::Node value = theirs->second;
                compared += compare(key, mine->first, path + "/key");
                compared += compare(value, mine->second, path + "/" + (key.IsScalar() ? key.Scalar() : "?"));
            }
            else
                compared += compare(*theirs, *mine, path + "/item");
        }
        BOOST_TEST((mine == actual.end()), path);
    }
    return compared;
}

const char* const kSamples[] = {
    // Block and flow styles, as the README and the examples write them.
    "broker: { state_dir: /var/lib/tokenbroker, admin: off, refresh: { at: 0.5 } }\n"
    "defaults:\n  base_url: https://api.coze.cn\n  ca_file: ~\n"
    "profiles:\n"
    "  svc:\n    flow: jwt\n    client_id: \"4200\"\n    private_key: { file: key.pem }\n"
    "    outputs:\n      - file: /run/a.token\n        mode: '0640'\n      - { env: A_TOKEN }\n"
    "    on_rotate: [systemctl, reload, app]\n"
    "  other: { flow: pat, token: { env: PAT } }\n",
    // Scalars of every style, nulls, tags and an explicit key.
    "plain: text with spaces\nsingle: 'it''s'\ndouble: \"tab\\tnewline\\n\"\n"
    "literal: |\n  line one\n  line two\nfolded: >\n  folded\n  text\n"
    "empty:\nnull_word: null\ntilde: ~\ntagged: !custom value\nnumber: 0640\n? complex key\n: its value\n"
    "list:\n- a\n-\n- - nested\n  - list\n",
    // Anchors and aliases: yaml-cpp shares the target, and so does the tree.
    "base: &base { flow: jwt, duration: 60s }\none: *base\ntwo: { inner: *base }\n"
    "names: &names [a, b]\nagain: *names\nscalar: &s word\nrepeat: *s\n",
    // A document marker, comments and an empty top-level value.
    "%YAML 1.1\n---\n# a comment\nkey: value # another\nnothing:\n...\n",
};

} // namespace

BOOST_AUTO_TEST_SUITE(ConfigTree)

BOOST_AUTO_TEST_CASE(the_tree_matches_yaml_cpps_own_node_for_node)
{
    for (const char* sample : kSamples)
    {
        BOOST_TEST_CONTEXT(sample)
        {
            const std::size_t compared = compare(YAML::Load(sample), parseTree(sample), "");
            BOOST_TEST(compared >= 5u, "the comparison walked the document");
        }
    }
}

BOOST_AUTO_TEST_CASE(an_alias_is_its_target_shared_not_copied)
{
    const ConfigNode root = parseTree("base: &base { flow: jwt }\none: *base\n");
    const ConfigNode one = root["one"];
    BOOST_TEST(one.isMap());
    BOOST_TEST(one["flow"].scalar() == "jwt");
    // The alias's mark is its target's (line 1), as in yaml-cpp.
    BOOST_TEST(one.mark().line == 0);
    BOOST_TEST(one.mark().column == root["base"].mark().column);
}

BOOST_AUTO_TEST_CASE(an_empty_document_is_null_and_a_missing_key_undefined)
{
    const ConfigNode empty = parseTree("# only a comment\n");
    BOOST_TEST(empty.isNull());
    BOOST_TEST(empty.mark().is_null());
    const ConfigNode root = parseTree("a: 1\n");
    BOOST_TEST(!root["b"].isDefined());
    BOOST_TEST(!root["a"]["c"].isDefined());
    BOOST_TEST(!root[std::size_t(0)].isDefined(), "a mapping has no items by index");
    BOOST_TEST(root["a"].size() == 0u);
    BOOST_TEST(!ConfigNode().isDefined());
}

BOOST_AUTO_TEST_CASE(an_alias_inside_the_node_it_names_is_refused_where_it_stands)
{
    // yaml-cpp would build a cycle, which every walk of the tree would follow
    // for ever.
    const auto errors = configErrorLines("profiles:\n  a: &loop\n    inner: *loop\n");
    BOOST_TEST_REQUIRE(errors.size() == 1u);
    BOOST_TEST(errors[0].find(":3:12: ") != std::string::npos, errors[0]);
    BOOST_TEST(errors[0].find("an alias may not refer to a node that contains it") != std::string::npos, errors[0]);
}

BOOST_AUTO_TEST_CASE(a_copy_without_keys_keeps_the_rest_and_stands_alone)
{
    ConfigNode copy;
    {
        const ConfigNode root = parseTree("logging: { format: json }\nprofiles: { a: { flow: pat } }\n"
                                          "defaults: { x: 1 }\nbroker: { admin: off }\n");
        copy = root.copyWithout({"profiles", "defaults"});
    }
    BOOST_TEST_REQUIRE(copy.isMap());
    BOOST_TEST(copy.size() == 2u);
    BOOST_TEST(copy["logging"]["format"].scalar() == "json");
    BOOST_TEST(copy["logging"]["format"].mark().line == 0);
    BOOST_TEST(copy["broker"]["admin"].scalar() == "off");
    BOOST_TEST(!copy["profiles"].isDefined());
    BOOST_TEST(!copy["defaults"].isDefined());
}

BOOST_AUTO_TEST_CASE(booleans_are_read_as_yaml_cpp_reads_them)
{
    Diagnostics diagnostics;
    YamlReader reader("t.yaml", diagnostics);
    for (const char* yes : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"})
        BOOST_TEST((reader.boolean(ConfigNode::fromText(yes), "x") == std::optional<bool>(true)), yes);
    for (const char* no : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"})
        BOOST_TEST((reader.boolean(ConfigNode::fromText(no), "x") == std::optional<bool>(false)), no);
    const std::size_t before = diagnostics.size();
    for (const char* neither : {"tRUE", "fALSE", "truE", "1", "0", "", "yess", "t"})
    {
        BOOST_TEST(!reader.boolean(ConfigNode::fromText(neither), "x").has_value(), neither);
        bool yamlCpp = false;
        BOOST_TEST(!YAML::convert<bool>::decode(YAML::Node(std::string(neither)), yamlCpp), neither);
    }
    BOOST_TEST(diagnostics.size() == before + 8u);
}

BOOST_AUTO_TEST_SUITE_END()
