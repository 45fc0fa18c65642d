// The admin endpoint's request handling: the bytes of a request as a local
// user could send them, parsed by POCO as the server does, then routed.
// Only a POST to our Host with the admin token may act, and nothing crashes.
#include "AdminServer.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>

#include <cctype>

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
    TokenBroker::DaemonView daemonView() const override
    {
        TokenBroker::DaemonView view;
        view.configPath = "fuzz.yaml";
        view.lastReloadMs = 1;
        view.lastReloadOk = false;
        view.lastReloadError = "fuzz.yaml:1:1: error: <b>";
        return view;
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
    bool publishedToken(const std::string& profile, std::optional<TokenBroker::Token>& token) const override
    {
        if (profile != "svc")
            return false;
        tokenRead = true;
        token = TokenBroker::Token{};
        token->accessToken = "czs_fuzz";
        return true;
    }
    TokenBroker::LoginStart startLogin(const std::string& profile) override
    {
        acted = true;
        return profile == "svc" ? TokenBroker::LoginStart::Started : TokenBroker::LoginStart::NoSuchProfile;
    }
    bool acted = false;
    mutable bool tokenRead = false;
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
    const TokenBroker::AdminAccess access{{"127.0.0.1:7469", "localhost:7469"},
                                          TokenBroker::AdminToken(std::string(64, 'a'))};
    const TokenBroker::AdminRequest judged{request.getMethod(), request.getURI(), request.get("Host", ""),
                                           request.get("Authorization", "")};
    const TokenBroker::AdminAnswer answer = TokenBroker::answerAdminRequest(backend, judged, access);
    // Nothing is done for a request from a foreign Host or without the token.
    std::string host = judged.host;
    for (char& c : host)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool authorized = access.token.admits(judged.authorization) &&
                            (host == "127.0.0.1:7469" || host == "localhost:7469");
    if (backend.acted && !(authorized && judged.method == "POST"))
        __builtin_trap();
    // The one secret is read only for a GET with the token. (Its text in an
    // answer proves nothing: a refused Host is echoed, and POCO decodes
    // RFC 2047 words in header values, so a request can spell anything.)
    if (backend.tokenRead && !(authorized && judged.method == "GET"))
        __builtin_trap();
    if (answer.status < 200 || answer.status > 599)
        __builtin_trap();
    return 0;
}
