#define BOOST_TEST_MODULE StatusPageBrowserTest
#include <boost/test/unit_test.hpp>

// The status page as a person sees it, rendered by a real browser (headless
// Chromium, Debian's `chromium`): each profile's state, and the device code
// of a login the daemon started by itself (broker.device_login: auto); after
// approval at the emulator the same page shows the profile ready. The
// screenshots are kept as test artefacts (TOKENBROKER_ARTIFACT_DIR).

#include "DaemonAdmin.h"
#include "EngineTestSupport.h"
#include "OAuthWorld.h"
#include "TempDir.h"
#include "TextMatch.h"

#include <Poco/File.h>

#include <fstream>
#include <regex>

using namespace TokenBroker::Test;
using namespace TokenBroker::Test::OAuth;
using namespace std::chrono_literals;

namespace {

const std::string kPatToken = "pat_page_0123456789abcdef";

/// Headless Chromium on `url`; `mode` is --dump-dom (the DOM after its
/// scripts ran, on stdout) or --screenshot=FILE.
RunResult chromium(const std::string& url, const std::string& mode)
{
    static TempDir profileDir;
    ChildProcess::Options options;
    // --no-sandbox: the suites run as root, where Chromium's sandbox refuses.
    options.args = {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                    "--user-data-dir=" + profileDir.path(), "--window-size=1400,700", mode, url};
    return run(TOKENBROKER_CHROMIUM, options, 60s);
}

std::string renderedPage(const std::string& url)
{
    const RunResult dom = chromium(url, "--dump-dom");
    BOOST_TEST_REQUIRE(dom.status == 0, dom.err);
    return dom.out;
}

void screenshot(const std::string& url, const std::string& name)
{
    const std::string path = std::string(TOKENBROKER_ARTIFACT_DIR) + "/" + name;
    Poco::File(TOKENBROKER_ARTIFACT_DIR).createDirectories();
    Poco::File(path).exists() && (Poco::File(path).remove(), true);
    const RunResult shot = chromium(url, "--screenshot=" + path);
    BOOST_TEST_REQUIRE(shot.status == 0, shot.err);
    const std::string png = readFile(path);
    BOOST_TEST(png.size() > 10000u, "a real picture, not an empty one: " << png.size() << " bytes");
    BOOST_TEST(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    BOOST_TEST_MESSAGE("screenshot: " << path);
}

} // namespace

BOOST_AUTO_TEST_CASE(the_page_shows_each_state_and_a_pending_device_code_then_the_login_done)
{
    OAuthWorld world;
    world.writeConfig(world.deviceProfile("dev") +
                          "  svc:\n    flow: pat\n    token: " + kPatToken + "\n    outputs:\n      - file: out/svc.token\n",
                      "127.0.0.1:0", "  device_login: auto\n");
    DaemonAdmin daemon(world);
    const std::string code = daemon.waitForUserCode("dev", 20s);
    BOOST_TEST_REQUIRE(!code.empty(), daemon.log());
    const std::string uri = daemon.profile("dev")->getObject("login")->getValue<std::string>("verification_uri");

    std::string page = renderedPage(daemon.url() + "/");
    BOOST_TEST(contains(page, "<td class=\"state needs_login\">needs_login"), page);
    BOOST_TEST(contains(page, "<td class=\"state ready\">ready"), page);
    BOOST_TEST(contains(page, "<code class=\"user-code\">" + code + "</code>"), page);
    BOOST_TEST(contains(page, "<a href=\"" + uri + "\">"), page);
    BOOST_TEST(contains(page, "1 of 2 profiles ready"), page);
    // The script ran: the code's countdown was rewritten in the browser as
    // "Mm Ss" (the server writes formatDuration's text, e.g. "5m").
    const std::regex countdown("data-expires=\"[0-9]+\">[0-9]+m [0-9]+s</span>");
    BOOST_TEST(std::regex_search(page, countdown), page);
    BOOST_TEST(!contains(page, kPatToken), "no token on the page");
    screenshot(daemon.url() + "/", "status-page-device-code.png");

    world.emulator().approveDevice(code);
    BOOST_TEST_REQUIRE(Engine::waitUntil([&] { return daemon.status("dev") == "ready"; }, 20s), daemon.log());
    page = renderedPage(daemon.url() + "/");
    BOOST_TEST(contains(page, "2 of 2 profiles ready"), page);
    BOOST_TEST(!contains(page, "<code class=\"user-code\">"), "the code is gone once used");
    BOOST_TEST(!contains(page, "class=\"state needs_login\""), page);
    screenshot(daemon.url() + "/", "status-page-ready.png");

    daemon.process().requestStop();
    BOOST_TEST((daemon.process().wait(20s) == std::optional<int>(0)), daemon.log());
}
