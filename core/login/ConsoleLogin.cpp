#include "ConsoleLogin.h"

#include "OpenBrowser.h"
#include "PrintableText.h"
#include "RedirectListener.h"

#include <chrono>
#include <thread>

namespace TokenBroker {

ConsoleLogin::ConsoleLogin(std::ostream& out, bool openBrowser)
    : _out(out)
    , _openBrowser(openBrowser)
{
}

void ConsoleLogin::show(const Poco::JSON::Object& event)
{
    const std::string kind = event.optValue<std::string>("kind", "");
    if (kind == "device_code")
    {
        // Both come from the server: shown as text, never as terminal codes.
        const std::string uri = printableText(event.optValue<std::string>("verification_uri", ""), 512);
        const std::string code = printableText(event.optValue<std::string>("user_code", ""), 64);
        const auto minutes = (event.optValue<Poco::Int64>("expires_in", 0) + 59) / 60;
        // RFC 8628's verification_uri_complete when the server gives one;
        // otherwise the code as a query parameter, which Coze reads.
        const std::string complete = printableText(event.optValue<std::string>("verification_uri_complete", ""), 512);
        const std::string direct = !complete.empty() ? complete
                                                     : uri + (uri.find('?') == std::string::npos ? "?" : "&") +
                                                           "user_code=" + code;
        _out << "\n"
             << "  To authorise this machine, open\n\n"
             << "      " << uri << "\n\n"
             << "  and enter the code\n\n"
             << "      " << code << "\n\n"
             << "  or open this link, which carries the code:\n"
             << "      " << direct << "\n\n"
             << "  The code expires in " << minutes << " minute" << (minutes == 1 ? "" : "s") << ".\n\n";
        _out.flush();
        if (_openBrowser && (uri.rfind("https://", 0) == 0 || uri.rfind("http://", 0) == 0))
            openBrowser(direct);
    }
    else if (kind == "progress")
    {
        _out << "  " << printableText(event.optValue<std::string>("message", "")) << "\n";
        _out.flush();
    }
}

bool ConsoleLogin::sleep(std::int64_t milliseconds)
{
    std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
    return true;
}

std::map<std::string, std::string> ConsoleLogin::awaitRedirect(const RedirectRequest& request)
{
    RedirectListener listener(request.redirectUri, request.state);
    _out << "\n  To authorise this machine, open this URL in a browser:\n\n"
         << "      " << request.authorizeUrl << "\n\n"
         << "  Waiting for the redirect to " << request.redirectUri << " ...\n";
    _out.flush();
    if (_openBrowser)
        openBrowser(request.authorizeUrl);
    return listener.wait(request.timeoutSeconds);
}

} // namespace TokenBroker
