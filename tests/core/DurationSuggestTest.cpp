#include <boost/test/unit_test.hpp>

#include "Duration.h"
#include "Suggest.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace TokenBroker;

BOOST_AUTO_TEST_SUITE(Durations)

BOOST_AUTO_TEST_CASE(ParsesEveryNotation)
{
    const std::vector<std::pair<std::string, std::int64_t>> cases = {
        {"0", 0},      {"900", 900},       {"90s", 90},      {"15m", 900},
        {"1h", 3600},  {"1d", 86400},      {"1h30m", 5400},  {"1d2h3m4s", 93784},
        {"0s", 0},     {"120m", 7200},     {"007", 7},
    };
    for (const auto& [text, seconds] : cases)
    {
        auto parsed = parseDuration(text);
        BOOST_TEST_REQUIRE(parsed.has_value(), "\"" << text << "\" was rejected");
        BOOST_TEST(*parsed == seconds, "\"" << text << "\"");
    }
}

BOOST_AUTO_TEST_CASE(RejectsEverythingElse)
{
    for (const std::string text : {"", "-5", "+5", "1.5h", "1h30", "h", "10x", " 5", "5 ", "1H", "1 h", "1hh", "s",
                                   "1w", "0x10", "ten"})
        BOOST_TEST(!parseDuration(text).has_value(), "\"" << text << "\" was accepted");
}

BOOST_AUTO_TEST_CASE(RejectsOverflow)
{
    const std::int64_t max = std::numeric_limits<std::int64_t>::max();
    BOOST_TEST(!parseDuration("99999999999999999999").has_value());
    BOOST_TEST(!parseDuration(std::to_string(max / 86400 + 1) + "d").has_value());
    // Each part is in range but the sum is not: must not wrap around to a
    // negative (or any) value.
    const std::string sum = "1d" + std::to_string(max / 86400) + "d";
    auto parsed = parseDuration(sum);
    BOOST_TEST(!parsed.has_value(), sum << " parsed as " << parsed.value_or(0));
    // The largest representable amount still works.
    BOOST_TEST(parseDuration(std::to_string(max / 86400) + "s").value_or(-1) == max / 86400);
}

BOOST_AUTO_TEST_CASE(FormatsTheWayItParses)
{
    BOOST_TEST(formatDuration(0) == "0s");
    BOOST_TEST(formatDuration(45) == "45s");
    BOOST_TEST(formatDuration(60) == "1m");
    BOOST_TEST(formatDuration(5400) == "1h30m");
    BOOST_TEST(formatDuration(86400) == "1d");
    BOOST_TEST(formatDuration(90061) == "1d1h1m1s");
    BOOST_TEST(formatDuration(3 * 86400 + 5) == "3d5s");
    for (std::int64_t seconds : {1, 59, 61, 3599, 3601, 86399, 86401, 1000000})
        BOOST_TEST(parseDuration(formatDuration(seconds)).value_or(-1) == seconds, seconds);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(Suggestions)

const std::vector<std::string> kBrokerKeys = {"state_dir", "plugin_dirs", "admin", "refresh", "workers"};

BOOST_AUTO_TEST_CASE(FindsPlausibleTypos)
{
    BOOST_TEST(closestMatch("brokr", {"broker", "defaults", "profiles", "logging"}) == "broker");
    BOOST_TEST(closestMatch("stat_dir", kBrokerKeys) == "state_dir");
    BOOST_TEST(closestMatch("plugin_dir", kBrokerKeys) == "plugin_dirs");
    BOOST_TEST(closestMatch("Admin", kBrokerKeys) == "admin");
    BOOST_TEST(closestMatch("refresh", kBrokerKeys) == "refresh");
}

BOOST_AUTO_TEST_CASE(IgnoresUnrelatedWords)
{
    BOOST_TEST(closestMatch("xyz", kBrokerKeys) == "");
    BOOST_TEST(closestMatch("timeout", kBrokerKeys) == "");
    BOOST_TEST(closestMatch("anything", {}) == "");
    // Short words allow one edit only: "ab" -> "admin" is three away.
    BOOST_TEST(closestMatch("ab", kBrokerKeys) == "");
}

BOOST_AUTO_TEST_CASE(ThresholdGrowsWithLength)
{
    // len/3 edits are allowed for longer words (at least one).
    BOOST_TEST(closestMatch("abcdXY", {"abcdef"}) == "abcdef");  // 2 edits, 6/3 = 2
    BOOST_TEST(closestMatch("abcXYZ", {"abcdef"}) == "");        // 3 edits
    BOOST_TEST(closestMatch("abX", {"abc"}) == "abc");           // 1 edit, minimum
    BOOST_TEST(closestMatch("aXY", {"abc"}) == "");              // 2 edits
}

BOOST_AUTO_TEST_CASE(PicksTheClosest)
{
    BOOST_TEST(closestMatch("formats", {"form", "format"}) == "format");
    BOOST_TEST(closestMatch("jsn", {"raw", "json", "env"}) == "json");
}

BOOST_AUTO_TEST_CASE(DidYouMeanText)
{
    BOOST_TEST(didYouMean("brokr", {"broker"}) == " (did you mean 'broker'?)");
    BOOST_TEST(didYouMean("zzz", {"broker"}) == "");
}

BOOST_AUTO_TEST_SUITE_END()
