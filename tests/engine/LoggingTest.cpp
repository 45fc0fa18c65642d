#define BOOST_TEST_MODULE LoggingTest
#include <boost/test/unit_test.hpp>

// Logging configured from the YAML file's `logging:` section (POCO's
// LoggingConfigurator): the per-refresh lines go where the operator said,
// with profile, result and next refresh time, and never the token.

#include "EngineTestSupport.h"
#include "TestPlatform.h"

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
    BOOST_TEST(httpRequest(adminUrl, "POST", "/v1/profiles/svc/refresh", {{"X-Tokenbroker", "1"}}).status == 202);
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
