#define BOOST_TEST_MODULE LoggingTest
#include <boost/test/unit_test.hpp>

// Logging configured from the YAML file's `logging:` section (POCO's
// LoggingConfigurator): the per-refresh lines go where the operator said,
// with profile, result and next refresh time, and never the token.

#include "EngineTestSupport.h"
#include "TestPlatform.h"

#include <Poco/JSON/Parser.h>

#include <regex>
#include <sstream>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::Engine;

BOOST_AUTO_TEST_CASE(a_logging_section_sends_the_refresh_lines_to_a_file_channel)
{
    auto emulator = startEmulator();
    BrokerConfig config;
    const std::string logFile = config.dir.file("logs-broker.log");
    const std::string logging = "logging:\n"
                                "  loggers:\n"
                                "    root:\n"
                                "      channel: file\n"
                                "      level: information\n"
                                "  channels:\n"
                                "    file:\n"
                                "      class: FileChannel\n"
                                "      path: " + logFile + "\n"
                                "      formatter:\n"
                                "        class: PatternFormatter\n"
                                "        pattern: \"FROM-YAML %p %s: %t\"\n";
    config.write({config.jwtProfile("svc", *emulator)}, kFastRefresh, logging);
    DaemonProcess daemon(config);

    // POCO's FileChannel ends lines as the platform does ("\r\n" on Windows).
    auto logText = [&] { return fromPlatformLineEnds(readFile(logFile)); };
    auto logged = [&](const std::string& text, std::size_t times = 1) {
        return waitUntil([&] { return fileState(logFile).exists && countOf(logText(), text) >= times; }, 15s);
    };
    BOOST_TEST_REQUIRE(logged("svc: ok, token valid until "), (fileState(logFile).exists ? logText() : daemon.log()));
    const auto ok = linesWith(logText(), "svc: ok, token valid until ");
    BOOST_REQUIRE_EQUAL(ok.size(), 1u);
    BOOST_TEST(ok[0].rfind("FROM-YAML Information tokenbroker.scheduler: svc: ok, token valid until ", 0) == 0, ok[0]);
    BOOST_TEST(contains(ok[0], ", next refresh "), ok[0]);

    // A failed renewal is logged there too, with attempt and next try.
    Fault failure;
    failure.status = 503;
    addFault(*emulator, failure);
    const std::string urlLine = linesWith(logText(), "admin endpoint on ").at(0);
    const std::string adminUrl = urlLine.substr(urlLine.find("http://"));
    BOOST_TEST(readFile(config.dir.file("state/admin.url")) == adminUrl + "\n");
    BOOST_TEST(httpRequest(adminUrl, "POST", "/v1/profiles/svc/refresh", {adminAuthorization(config)}).status == 202);
    BOOST_TEST_REQUIRE(logged("svc: failed: "), logText());
    BOOST_TEST_REQUIRE(logged("svc: ok, token valid until ", 2), logText());
    const auto failed = linesWith(logText(), "svc: failed: ");
    BOOST_TEST(contains(failed.at(0), "FROM-YAML Warning tokenbroker.scheduler: svc: failed: "), failed.at(0));
    BOOST_TEST(contains(failed.at(0), "; attempt 1, next try "), failed.at(0));

    // The console got none of it, and the token is in no log.
    BOOST_TEST(!contains(daemon.log(), "svc: ok"), daemon.log());
    const std::string token = readFile(config.tokenFile("svc"));
    BOOST_TEST(!contains(logText(), token.substr(0, token.size() - 1)));
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);
    BOOST_TEST(contains(logText(), "stopped"));
}

BOOST_AUTO_TEST_CASE(json_format_writes_one_valid_object_a_line_with_profile_and_fields)
{
    auto emulator = startEmulator();
    BrokerConfig config;
    config.write({config.jwtProfile("svc", *emulator,
                                    helperHookLine(TOKENBROKER_TEST_HELPER, {"say:first line", "say:second \"line\""}))},
                 "", "logging:\n  format: json\n");
    DaemonProcess daemon(config);
    BOOST_TEST_REQUIRE(daemon.waitForLog("succeeded; it said: first line", 15s), daemon.log());
    BOOST_TEST(daemon.terminate().value_or(-1) == 0);

    const std::string log = daemon.log();
    std::vector<Poco::JSON::Object::Ptr> records;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);)
    {
        Poco::JSON::Object::Ptr record;
        try
        {
            record = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
        }
        catch (const std::exception& e)
        {
            BOOST_FAIL("not one JSON object: " << line << " (" << e.what() << ")");
        }
        BOOST_TEST(std::regex_match(record->getValue<std::string>("time"),
                                    std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")),
                   line);
        BOOST_TEST(record->has("level"), line);
        BOOST_TEST(record->has("logger"), line);
        BOOST_TEST(record->has("message"), line);
        records.push_back(record);
    }
    auto find = [&](const std::string& start) -> Poco::JSON::Object::Ptr {
        for (const auto& record : records)
        {
            if (record->getValue<std::string>("message").rfind(start, 0) == 0)
                return record;
        }
        BOOST_FAIL("no record whose message starts with " << start << " in:\n" << log);
        return nullptr;
    };
    // A scheduler line: the profile and the result are fields, not text.
    const auto ok = find("ok, token valid until ");
    BOOST_TEST(ok->getValue<std::string>("level") == "information");
    BOOST_TEST(ok->getValue<std::string>("logger") == "tokenbroker.scheduler");
    BOOST_TEST(ok->getValue<std::string>("profile") == "svc");
    const auto fields = ok->getObject("fields");
    BOOST_TEST_REQUIRE(fields);
    BOOST_TEST(fields->getValue<std::string>("result") == "ok");
    BOOST_TEST(contains(ok->getValue<std::string>("message"), fields->getValue<std::string>("expires_at")));
    BOOST_TEST(contains(ok->getValue<std::string>("message"), fields->getValue<std::string>("next_refresh")));
    // The hook's two lines of output, quotes and all, are one record.
    const auto hook = find("on_rotate: ");
    BOOST_TEST(hook->getValue<std::string>("profile") == "svc");
    std::string said = hook->getValue<std::string>("message");
    said = std::regex_replace(said, std::regex("\r\n"), "\n");
    BOOST_TEST(contains(said, "succeeded; it said: first line\nsecond \"line\""), said);
    // A line about no profile has none.
    BOOST_TEST(!find("stopping")->has("profile"));
    const std::string token = readFile(config.tokenFile("svc"));
    BOOST_TEST(!contains(log, token.substr(0, token.size() - 1)));
}

BOOST_AUTO_TEST_CASE(an_unknown_log_format_is_a_configuration_error_at_its_position)
{
    BrokerConfig config;
    config.write({config.patProfile("a", "pat_a_token")}, "", "logging:\n  format: xml\n");
    const RunResult check = broker({"check", "-c", config.path});
    BOOST_TEST(check.status == 2, check.err);
    // The value's position: the line of "  format: xml", column 11.
    std::istringstream in(readFile(config.path));
    int line = 1;
    for (std::string text; std::getline(in, text) && text != "  format: xml";)
        ++line;
    BOOST_TEST(contains(check.err, config.path + ":" + std::to_string(line) +
                                       ":11: error: logging.format must be 'text' or 'json'"),
               check.err);
}
