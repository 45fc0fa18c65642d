#include "OpenBrowser.h"

#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/Process.h>

namespace TokenBroker {

bool openBrowser(const std::string& url)
{
    if (Poco::Environment::get("DISPLAY", "").empty() && Poco::Environment::get("WAYLAND_DISPLAY", "").empty())
        return false;
    try
    {
        // xdg-open returns once the browser is asked; its handle is dropped.
        Poco::Process::launch("xdg-open", {url});
        return true;
    }
    catch (const Poco::Exception&)
    {
        return false;
    }
}

} // namespace TokenBroker
