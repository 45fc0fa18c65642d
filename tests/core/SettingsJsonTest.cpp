#include <boost/test/unit_test.hpp>

#include "SettingsJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <limits>
#include <sstream>
#include <string>

using namespace TokenBroker;

namespace {

std::string pocoText(const Poco::JSON::Object& object)
{
    std::ostringstream text;
    object.stringify(text);
    return text.str();
}

/// Strings that take every branch of a JSON string writer: nothing to
/// escape, the short escapes, other control bytes, DEL, a slash, non-ASCII
/// text of two, three and four bytes, and invalid UTF-8.
const char* const kTricky[] = {
    "plain text 123",
    "",
    "-----BEGIN PRIVATE KEY-----\nMIIE+/abc==\n-----END PRIVATE KEY-----",
    "quote \" backslash \\ slash /",
    "tab\t cr\r bell\a vt\v ff\f bs\b nul-free",
    "\x01\x1f\x7f",
    "caf\xc3\xa9 \xe6\x89\xa3\xe5\xad\x90 \xf0\x9f\x94\x91",
    "broken \xc3 \xff utf-8",
};

} // namespace

BOOST_AUTO_TEST_SUITE(SettingsJsonSuite)

BOOST_AUTO_TEST_CASE(writes_what_poco_writes_for_every_kind_of_value)
{
    // The settings fingerprint stored with each token is taken of this
    // text: any difference from Poco's would make every stored token stale.
    Poco::JSON::Object settings;
    int n = 0;
    for (const char* text : kTricky)
    {
        settings.set("s" + std::to_string(n), std::string(text));
        settings.set(std::string("key ") + text, ++n);  // odd keys as well
    }
    settings.set("yes", true);
    settings.set("no", false);
    settings.set("min", std::numeric_limits<Poco::Int64>::min());
    settings.set("max", std::numeric_limits<Poco::Int64>::max());
    settings.set("nothing", Poco::Dynamic::Var());
    settings.set("ratio", 0.25);  // a type the binder never makes

    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    list->add(std::string("a/b"));
    list->add(static_cast<Poco::Int64>(-7));
    list->add(Poco::JSON::Array::Ptr(new Poco::JSON::Array));
    Poco::JSON::Object::Ptr nested = new Poco::JSON::Object;
    nested->set("z", std::string("last"));
    nested->set("a", std::string("first \xe6\x89\xa3"));
    list->add(nested);
    settings.set("list", list);

    Poco::JSON::Object::Ptr ordered = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    ordered->set("z", 1);
    ordered->set("a", std::string("\n"));
    settings.set("ordered", ordered);
    settings.set("empty", Poco::JSON::Object::Ptr(new Poco::JSON::Object));

    BOOST_TEST(settingsJson(settings) == pocoText(settings));

    settings.setEscapeUnicode(true);
    BOOST_TEST(settingsJson(settings) == pocoText(settings));
}

BOOST_AUTO_TEST_CASE(each_string_alone_matches)
{
    for (const char* text : kTricky)
    {
        Poco::JSON::Object settings;
        settings.set("value", std::string(text));
        BOOST_TEST(settingsJson(settings) == pocoText(settings), "for " << pocoText(settings));
    }
}

BOOST_AUTO_TEST_SUITE_END()
