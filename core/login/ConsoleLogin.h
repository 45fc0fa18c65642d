#pragma once

#include "LoginInteraction.h"

#include <ostream>

namespace TokenBroker {

/// `tokenbroker login` at a terminal: prints the verification URL and user
/// code prominently, shows progress while waiting, and for browser flows
/// prints the authorize URL, opens a browser (unless told not to) and
/// receives the redirect on a loopback listener.
class ConsoleLogin : public LoginInteraction
{
public:
    ConsoleLogin(std::ostream& out, bool openBrowser);

    void show(const Poco::JSON::Object& event) override;
    bool sleep(std::int64_t milliseconds) override;
    std::map<std::string, std::string> awaitRedirect(const RedirectRequest& request) override;

private:
    std::ostream& _out;
    bool _openBrowser;
};

} // namespace TokenBroker
