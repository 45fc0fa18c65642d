#include "StatusPage.h"

#include "AdminMetrics.h"
#include "AdminServer.h"
#include "Duration.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <limits>
#include <sstream>

namespace TokenBroker {

namespace {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

std::string html(const std::string& text)
{
    std::string out;
    for (char c : text)
    {
        switch (c)
        {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

const char* const styleAndScript =
    "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left;vertical-align:top}"
    "th{border-bottom:1px solid #999}.state{font-weight:bold}"
    ".ready{color:#080}.refreshing,.starting{color:#06c}.retrying{color:#b60}"
    ".expired,.failed,.needs_login{color:#b00}small{color:#666}"
    ".login{margin-top:.4em;padding:.4em;border:1px solid #06c;font-weight:normal;color:#000}"
    ".user-code{font-size:1.4em;letter-spacing:.1em}</style>"
    // Counts each expiry down between reloads of the page.
    "<script>function tick(){var now=Date.now()/1000;"
    "document.querySelectorAll('[data-expires]').forEach(function(e){"
    "var s=Math.round(e.getAttribute('data-expires')-now);"
    "if(s<=0){e.textContent='expired';return;}"
    "var h=Math.floor(s/3600),m=Math.floor(s%3600/60),r=s%60;"
    "e.textContent=(h?h+'h ':'')+(h||m?m+'m ':'')+r+'s';});}"
    "setInterval(tick,1000);window.addEventListener('load',tick);</script>";

void daemonFacts(std::ostringstream& out, const std::vector<ProfileView>& views, const DaemonView& daemon,
                 std::int64_t nowMs)
{
    const std::int64_t now = nowMs / 1000;
    std::size_t ready = 0;
    for (const auto& v : views)
        ready += profileReady(v, now) ? 1 : 0;
    out << "<p id=\"summary\">" << ready << " of " << views.size() << " profiles ready</p><table id=\"daemon\">"
        << "<tr><th>version</th><td>" << TOKENBROKER_VERSION << "</td></tr>"
        << "<tr><th>uptime</th><td>" << formatDuration(std::max<std::int64_t>(0, (nowMs - daemon.startedMs) / 1000))
        << "</td></tr><tr><th>configuration</th><td>" << html(daemon.configPath) << "</td></tr>"
        << "<tr><th>last reload</th><td id=\"last-reload\">";
    if (daemon.lastReloadMs == 0)
        out << "none since the start";
    else if (daemon.lastReloadOk)
        out << formatUtcTime(daemon.lastReloadMs / 1000) << ", ok";
    else
        out << formatUtcTime(daemon.lastReloadMs / 1000) << ", <span class=\"failed\">failed: " << html(daemon.lastReloadError)
            << "</span> (the previous configuration runs on)";
    out << "</td></tr><tr><th>reloads</th><td>" << daemon.reloadsOk << " ok, " << daemon.reloadsFailed
        << " failed</td></tr></table>";
}

void profileRow(std::ostringstream& out, const ProfileView& v, std::int64_t nowMs)
{
    const std::string state = profileState(v);
    out << "<tr id=\"profile-" << html(v.name) << "\"><td>" << html(v.name) << "</td><td>" << html(v.flow)
        << "</td><td class=\"state " << state << "\">" << state;
    if (v.login && v.login->running && !v.login->userCode.empty())
        out << "<div class=\"login\" id=\"login-" << html(v.name) << "\">open <a href=\""
            << html(v.login->verificationUri) << "\">" << html(v.login->verificationUri)
            << "</a> and enter the code <code class=\"user-code\">" << html(v.login->userCode)
            << "</code><br><small>the code expires in <span data-expires=\"" << v.login->expiresAt << "\">"
            << formatDuration(std::max<std::int64_t>(0, v.login->expiresAt - nowMs / 1000)) << "</span></small></div>";
    else if (v.login && v.login->running)
        out << "<div class=\"login\">a device login is starting</div>";
    else if (v.status == ProfileStatus::NeedsLogin)
    {
        out << "<br><code>tokenbroker login " << html(v.name) << "</code>";
        if (v.deviceLogin)
            out << "<br><small>or POST /v1/profiles/" << html(v.name) << "/login</small>";
        if (v.login && !v.login->error.empty())
            out << "<br><small>last device login: " << html(v.login->error) << "</small>";
    }
    out << "</td><td>";
    if (v.hasToken && v.expiresAt > 0)
        out << "<span data-expires=\"" << v.expiresAt << "\">"
            << formatDuration(std::max<std::int64_t>(0, v.expiresAt - nowMs / 1000)) << "</span><br><small>"
            << formatUtcTime(v.expiresAt) << "</small>";
    else
        out << (v.hasToken ? "never" : "-");
    out << "</td><td>" << (v.nextRefreshMs == never ? "-" : formatUtcTime(v.nextRefreshMs / 1000)) << "</td><td>";
    if (v.inFlight)
        out << "since " << formatUtcTime(v.inFlightSinceMs / 1000);
    else
        out << "-";
    out << "</td><td>" << html(v.lastError) << "</td><td>" << html(v.outputs) << "</td><td class=\"facts\">";
    const char* separator = "";
    for (const auto& [key, value] : descriptionFacts(v.description))
    {
        out << separator << html(key) << ": " << html(value);
        separator = "<br>";
    }
    out << "</td></tr>";
}

} // namespace

std::string statusPage(const std::vector<ProfileView>& views, const DaemonView& daemon, std::int64_t nowMs)
{
    std::ostringstream out;
    out << "<!doctype html><html><head><meta charset=\"utf-8\"><title>tokenbroker</title>"
           "<meta http-equiv=\"refresh\" content=\"10\">"
        << styleAndScript << "</head><body><h1>tokenbroker</h1>";
    daemonFacts(out, views, daemon, nowMs);
    out << "<h2>Profiles</h2><table id=\"profiles\"><tr><th>profile</th><th>flow</th><th>state</th><th>expires in</th>"
           "<th>next refresh</th><th>attempt in flight</th><th>last error</th><th>outputs</th><th>plugin</th></tr>";
    for (const auto& v : views)
        profileRow(out, v, nowMs);
    out << "</table><p><a href=\"/metrics\">metrics</a> · <a href=\"/v1/profiles\">profiles as JSON</a> · "
           "<a href=\"/readyz\">readiness</a></p></body></html>\n";
    return out.str();
}

} // namespace TokenBroker
