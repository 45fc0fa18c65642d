#include "AdminServer.h"

#include "AdminMetrics.h"
#include "Clock.h"
#include "StatusPage.h"
#include "PrintableText.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <sstream>

namespace TokenBroker {

namespace {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

/// The description as a JSON object; empty when it is not one.
Poco::JSON::Object::Ptr descriptionObject(const std::string& json)
{
    try
    {
        Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(json);
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr))
            return parsed.extract<Poco::JSON::Object::Ptr>();
    }
    catch (const Poco::Exception&)
    {
    }
    return new Poco::JSON::Object;
}

} // namespace

bool profileReady(const ProfileView& view, std::int64_t now)
{
    // Ready means holding a valid token: a renewal being retried leaves the
    // last good one in place, so it is no outage (yet). A profile that needs
    // the operator (failed, needs_login) is not ready.
    // Nor is one whose outputs could not take its token (a full disk):
    // the programs read the files, not the daemon's memory.
    const bool usable = view.status == ProfileStatus::Ready || view.status == ProfileStatus::Retrying;
    return usable && view.hasToken && view.outputsCurrent && (view.expiresAt == 0 || view.expiresAt > now);
}

std::string notReadyList(const std::vector<ProfileView>& views, std::int64_t nowSeconds)
{
    std::string list;
    for (const auto& view : views)
    {
        if (profileReady(view, nowSeconds))
            continue;
        std::string why = toString(view.status);
        if (!view.outputsCurrent)
            why += ", an output does not hold the token";
        if (!view.lastError.empty())
            why += ": " + view.lastError;
        list += "  " + view.name + " (" + why + ")\n";
    }
    return list;
}

bool allReady(const std::vector<ProfileView>& views, std::int64_t nowSeconds)
{
    for (const auto& view : views)
    {
        if (!profileReady(view, nowSeconds))
            return false;
    }
    return true;
}

std::vector<std::pair<std::string, std::string>> descriptionFacts(const std::string& descriptionJson)
{
    std::vector<std::pair<std::string, std::string>> facts;
    Poco::JSON::Object::Ptr object = descriptionObject(descriptionJson);
    for (const auto& [key, value] : *object)
    {
        if (value.isString())
        {
            facts.emplace_back(key, value.extract<std::string>());
            continue;
        }
        std::ostringstream compact;
        Poco::JSON::Stringifier::stringify(value, compact);
        facts.emplace_back(key, compact.str());
    }
    return facts;
}

std::string profilesJson(const std::vector<ProfileView>& views)
{
    Poco::JSON::Array array;
    for (const auto& view : views)
    {
        Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
        object.set("name", view.name);
        object.set("flow", view.flow);
        object.set("status", std::string(toString(view.status)));
        object.set("state", profileState(view));
        object.set("expires_at", static_cast<Poco::Int64>(view.expiresAt));
        object.set("next_refresh", view.nextRefreshMs == never ? Poco::Dynamic::Var()
                                                               : Poco::Dynamic::Var(static_cast<Poco::Int64>(view.nextRefreshMs / 1000)));
        object.set("in_flight", view.inFlight);
        object.set("in_flight_since", view.inFlight ? Poco::Dynamic::Var(static_cast<Poco::Int64>(view.inFlightSinceMs / 1000))
                                                    : Poco::Dynamic::Var());
        object.set("consecutive_failures", view.consecutiveFailures);
        object.set("refreshes", static_cast<Poco::UInt64>(view.refreshes));
        object.set("failures", static_cast<Poco::UInt64>(view.failures));
        object.set("last_success", view.lastSuccessMs > 0 ? Poco::Dynamic::Var(static_cast<Poco::Int64>(view.lastSuccessMs / 1000))
                                                          : Poco::Dynamic::Var());
        object.set("last_error", view.lastError);
        object.set("outputs", view.outputs);
        object.set("plugin", descriptionObject(view.description));
        if (view.status == ProfileStatus::NeedsLogin)
            object.set("login_command", "tokenbroker login " + view.name);
        if (view.login)
        {
            Poco::JSON::Object::Ptr login = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            login->set("running", view.login->running);
            login->set("verification_uri", view.login->verificationUri);
            login->set("user_code", view.login->userCode);
            login->set("expires_at", static_cast<Poco::Int64>(view.login->expiresAt));
            login->set("error", view.login->error);
            object.set("login", login);
        }
        array.add(object);
    }
    std::ostringstream out;
    array.stringify(out);
    return out.str();
}

namespace {

class AdminHandler : public Poco::Net::HTTPRequestHandler
{
public:
    AdminHandler(AdminBackend& backend, const AdminAccess& access)
        : _backend(backend)
        , _access(access)
    {
    }

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
    {
        const AdminAnswer answer = answerAdminRequest(
            _backend, AdminRequest{request.getMethod(), request.getURI(), request.get("Host", ""), request.get("Authorization", "")},
            _access);
        response.set("Cache-Control", "no-store");
        for (const auto& [name, value] : answer.headers)
            response.set(name, value);
        // With its reason phrase: "503 Service Unavailable", not "503 OK".
        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
        response.setContentType(answer.contentType);
        response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
        response.send() << answer.body;
    }

private:
    AdminBackend& _backend;
    const AdminAccess& _access;
};

class AdminFactory : public Poco::Net::HTTPRequestHandlerFactory
{
public:
    AdminFactory(AdminBackend& backend, AdminAccess access)
        : _backend(backend)
        , _access(std::move(access))
    {
    }
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
    {
        return new AdminHandler(_backend, _access);
    }

private:
    AdminBackend& _backend;
    const AdminAccess _access;
};

/// GET /v1/profiles/NAME/token: the json output format, with obtained_at.
std::string publishedTokenJson(const Token& token, const std::string& profile)
{
    Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
    object.set("access_token", token.accessToken);
    object.set("expires_at", static_cast<Poco::Int64>(token.expiresAt));
    object.set("token_type", token.tokenType);
    object.set("profile", profile);
    object.set("obtained_at", static_cast<Poco::Int64>(token.obtainedAt));
    std::ostringstream out;
    object.stringify(out);
    return out.str() + "\n";
}

bool isLoopback(const Poco::Net::IPAddress& address)
{
    return address.isLoopback();
}

std::string hostPort(const std::string& host, bool ipv6, Poco::UInt16 port)
{
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

} // namespace

std::vector<std::string> hostsNaming(const Poco::Net::SocketAddress& bound, const std::set<std::string>& certificateNames)
{
    const bool ipv6 = bound.family() == Poco::Net::AddressFamily::IPv6;
    std::vector<std::string> hosts{hostPort(bound.host().toString(), ipv6, bound.port())};
    if (isLoopback(bound.host()) || bound.host().isWildcard())
    {
        for (const std::string name : {"localhost", "127.0.0.1"})
            hosts.push_back(hostPort(name, false, bound.port()));
        hosts.push_back(hostPort("::1", true, bound.port()));
    }
    for (const auto& name : certificateNames)
    {
        std::string lower = name;
        for (char& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        hosts.push_back(hostPort(lower, lower.find(':') != std::string::npos, bound.port()));
    }
    return hosts;
}

AdminAnswer answerAdminRequest(AdminBackend& backend, const AdminRequest& request, const AdminAccess& access)
{
    using Status = Poco::Net::HTTPResponse::HTTPStatus;
    auto answer = [](Status status, const std::string& type, std::string body) {
        return AdminAnswer{static_cast<int>(status), type, std::move(body), {}};
    };
    // Before anything is looked at: a browser sends the name it resolved,
    // and a hostile page's name is not ours however it resolves.
    std::string host = request.host;
    for (char& c : host)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::find(access.hosts.begin(), access.hosts.end(), host) == access.hosts.end())
        return answer(Status::HTTP_MISDIRECTED_REQUEST, "text/plain",
                      "this endpoint answers to Host " + access.hosts.front() + ", not " +
                          (request.host.empty() ? std::string("a request without one") : printableText(request.host, 128)) +
                          "\n");
    std::string path;
    try
    {
        path = Poco::URI(request.target).getPath();
    }
    catch (const Poco::Exception&)
    {
        return answer(Status::HTTP_BAD_REQUEST, "text/plain", "malformed request target\n");
    }
    const std::string& method = request.method;
    if (method == "GET" && path == "/healthz")
        return answer(Status::HTTP_OK, "text/plain", "ok\n");
    if (method == "GET" && path == "/readyz")
    {
        const std::string notReady = notReadyList(backend.profiles(), Clock::system().nowSeconds());
        if (notReady.empty())
            return answer(Status::HTTP_OK, "text/plain", "ready\n");
        return answer(Status::HTTP_SERVICE_UNAVAILABLE, "text/plain", "not ready:\n" + notReady);
    }
    if (method == "GET" && path == "/metrics")
        return answer(Status::HTTP_OK, "text/plain; version=0.0.4",
                      metricsText(backend.profiles(), backend.daemonView(), currentProcessStats(),
                                  Clock::system().nowSeconds()));
    if (method == "GET" && path == "/v1/profiles")
        return answer(Status::HTTP_OK, "application/json", profilesJson(backend.profiles()) + "\n");
    if (method == "GET" && path == "/")
        return answer(Status::HTTP_OK, "text/html; charset=utf-8",
                      statusPage(backend.profiles(), backend.daemonView(), Clock::system().nowMs()));
    const std::string profilesPrefix = "/v1/profiles/";
    const std::string tokenSuffix = "/token", refreshSuffix = "/refresh";
    auto profileAction = [&](const std::string& suffix) -> std::optional<std::string> {
        if (path.size() > profilesPrefix.size() + suffix.size() &&
            path.compare(0, profilesPrefix.size(), profilesPrefix) == 0 &&
            path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
            return path.substr(profilesPrefix.size(), path.size() - profilesPrefix.size() - suffix.size());
        return std::nullopt;
    };
    const auto tokenOf = method == "GET" ? profileAction(tokenSuffix) : std::nullopt;
    if (method != "POST" && !tokenOf)
        return answer(Status::HTTP_NOT_FOUND, "text/plain", "not found\n");
    if (!access.token.admits(request.authorization))
    {
        AdminAnswer refused = answer(Status::HTTP_UNAUTHORIZED, "text/plain",
                                     "POST and GET .../token need Authorization: Bearer with the token in the daemon's "
                                     "state_dir (admin.token); tokenbroker reload, login and token send it when run as "
                                     "the daemon's user or root\n");
        refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tokenbroker\"");
        return refused;
    }
    if (tokenOf)
    {
        std::optional<Token> token;
        if (!backend.publishedToken(*tokenOf, token))
            return answer(Status::HTTP_NOT_FOUND, "text/plain", "no profile " + printableText(*tokenOf, 128) + "\n");
        if (!token || (token->expires() && token->expiresAt <= Clock::system().nowSeconds()))
            return answer(Status::HTTP_SERVICE_UNAVAILABLE, "text/plain",
                          "profile " + printableText(*tokenOf, 128) + " holds no valid token now; see GET /v1/profiles\n");
        return answer(Status::HTTP_OK, "application/json", publishedTokenJson(*token, *tokenOf));
    }
    if (path == "/v1/reload")
    {
        std::string errors;
        if (backend.reload(errors))
            return answer(Status::HTTP_OK, "text/plain", "reloaded\n");
        return answer(Status::HTTP_UNPROCESSABLE_ENTITY, "text/plain", errors + "\n");
    }
    if (const auto login = profileAction("/login"))
    {
        const std::string name = printableText(*login, 128);
        switch (backend.startLogin(*login))
        {
        case LoginStart::Started:
            return answer(Status::HTTP_ACCEPTED, "text/plain",
                          "device login started for " + name + "; its code shows in GET /v1/profiles, on the status "
                          "page and in the log\n");
        case LoginStart::AlreadyRunning:
            return answer(Status::HTTP_ACCEPTED, "text/plain",
                          "a device login for " + name + " is already running; see GET /v1/profiles\n");
        case LoginStart::NotNeeded:
            return answer(Status::HTTP_CONFLICT, "text/plain", name + " does not need a login now\n");
        case LoginStart::NeedsTerminal:
            return answer(Status::HTTP_CONFLICT, "text/plain",
                          name + "'s flow needs a browser redirect to this machine: run tokenbroker login " + name +
                              " at a terminal\n");
        case LoginStart::NoSuchProfile:
            break;
        }
        return answer(Status::HTTP_NOT_FOUND, "text/plain", "no profile " + name + "\n");
    }
    if (const auto renewed = profileAction(refreshSuffix))
    {
        if (backend.renewNow(*renewed))
            return answer(Status::HTTP_ACCEPTED, "text/plain", "renewing " + *renewed + "\n");
        // The name is the caller's text: echoed only as printable text.
        return answer(Status::HTTP_NOT_FOUND, "text/plain", "no profile " + printableText(*renewed, 128) + "\n");
    }
    return answer(Status::HTTP_NOT_FOUND, "text/plain", "not found\n");
}

AdminServer::AdminServer(const AdminListen& listen, AdminBackend& backend, AdminToken token)
{
    Poco::Net::SocketAddress address(listen.address);
    const bool tls = !listen.certFile.empty();
    std::set<std::string> certificateNames;
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    if (tls)
    {
        Poco::Net::Context::Params params;
        params.certificateFile = listen.certFile;
        params.privateKeyFile = listen.keyFile;
        params.verificationMode = Poco::Net::Context::VERIFY_NONE;  // clients show the admin token, not a certificate
        params.loadDefaultCAs = false;
        Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        socket = std::make_unique<Poco::Net::SecureServerSocket>(context);
        std::string commonName;
        Poco::Crypto::X509Certificate(listen.certFile).extractNames(commonName, certificateNames);
        if (!commonName.empty())
            certificateNames.insert(commonName);
    }
    else
        socket = std::make_unique<Poco::Net::ServerSocket>();
    socket->bind(address, true, false);
    socket->listen(64);
    const Poco::Net::SocketAddress bound = socket->address();
    // The CLI on this machine reaches a wildcard address on loopback.
    const std::string host = bound.host().isWildcard() ? std::string("127.0.0.1") : bound.host().toString();
    _url = std::string(tls ? "https://" : "http://") +
           hostPort(host, !bound.host().isWildcard() && bound.family() == Poco::Net::AddressFamily::IPv6, bound.port());
    // Bounded: 4 requests served at once, 16 waiting (then refused), and a
    // client that trickles its request (or TLS handshake) is cut off after
    // 5 s. POCO bounds the request line and headers itself (100 fields,
    // 8 KiB values).
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    params->setMaxQueued(16);
    params->setTimeout(Poco::Timespan(5, 0));
    params->setKeepAlive(false);
    _server = std::make_unique<Poco::Net::HTTPServer>(
        new AdminFactory(backend, AdminAccess{hostsNaming(bound, certificateNames), std::move(token)}), *socket, params);
    _server->start();
}

AdminServer::~AdminServer()
{
    _server->stopAll(true);
}

} // namespace TokenBroker
