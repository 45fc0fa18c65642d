// The admin endpoint's request handling: the bytes of a request as a local
// user could send them, parsed by POCO as the server does, then routed.
// Only a POST with the header may act, and nothing crashes.
#include "AdminServer.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

namespace {

class Backend : public TokenBroker::AdminBackend
{
public:
    std::vector<TokenBroker::ProfileView> profiles() const override
    {
        TokenBroker::ProfileView view;
        view.name = "svc";
        view.flow = "jwt";
        view.hasToken = true;
        view.description = R"({"client_id":"1180"})";
        return {view};
    }
    bool reload(std::string& errors) override
    {
        acted = true;
        errors = "fuzz.yaml:1:1: error: nothing to reload";
        return false;
    }
    bool renewNow(const std::string& profile) override
    {
        acted = true;
        return profile == "svc";
    }
    bool acted = false;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    Poco::Net::HTTPRequest request;
    try
    {
        request.read(in);
    }
    catch (const Poco::Exception&)
    {
        return 0;  // the server answers 400 before any routing
    }
    Backend backend;
    const std::string header = request.get("X-Tokenbroker", "");
    const TokenBroker::AdminAnswer answer =
        TokenBroker::answerAdminRequest(backend, request.getMethod(), request.getURI(), header);
    if (backend.acted && (request.getMethod() != "POST" || header != "1"))
        __builtin_trap();
    if (answer.status < 200 || answer.status > 599)
        __builtin_trap();
    return 0;
}
