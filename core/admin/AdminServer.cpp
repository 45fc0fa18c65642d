#include "AdminServer.h"

#include "PrintableText.h"

#include "Clock.h"

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
#include <Poco/Net/ServerSocket.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <limits>
#include <sstream>

namespace TokenBroker {

namespace {

constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

std::string isoTime(std::int64_t seconds)
{
    return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(seconds), "%Y-%m-%dT%H:%M:%SZ");
}

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
        default: out += c;
        }
    }
    return out;
}

std::string label(const std::string& value)
{
    std::string out;
    for (char c : value)
    {
        if (c == '\\' || c == '"')
            out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return out;
}

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
        object.set("expires_at", static_cast<Poco::Int64>(view.expiresAt));
        object.set("next_refresh", view.nextRefreshMs == never ? Poco::Dynamic::Var()
                                                               : Poco::Dynamic::Var(static_cast<Poco::Int64>(view.nextRefreshMs / 1000)));
        object.set("in_flight", view.inFlight);
        object.set("in_flight_since", view.inFlight ? Poco::Dynamic::Var(static_cast<Poco::Int64>(view.inFlightSinceMs / 1000))
                                                    : Poco::Dynamic::Var());
        object.set("consecutive_failures", view.consecutiveFailures);
        object.set("refreshes", static_cast<Poco::UInt64>(view.refreshes));
        object.set("failures", static_cast<Poco::UInt64>(view.failures));
        object.set("last_error", view.lastError);
        object.set("outputs", view.outputs);
        object.set("plugin", descriptionObject(view.description));
        if (view.status == ProfileStatus::NeedsLogin)
            object.set("login_command", "tokenbroker login " + view.name);
        array.add(object);
    }
    std::ostringstream out;
    array.stringify(out);
    return out.str();
}

std::string profilesMetrics(const std::vector<ProfileView>& views)
{
    const std::int64_t now = Clock::system().nowSeconds();
    std::ostringstream out;
    out << "# HELP tokenbroker_profile_ready 1 when the profile holds a valid token and every output has it.\n"
           "# TYPE tokenbroker_profile_ready gauge\n";
    for (const auto& v : views)
        out << "tokenbroker_profile_ready{profile=\"" << label(v.name) << "\"} " << (profileReady(v, now) ? 1 : 0) << "\n";
    out << "# HELP tokenbroker_profile_outputs_current 1 when every output holds the current token, 0 while one "
           "cannot be written.\n"
           "# TYPE tokenbroker_profile_outputs_current gauge\n";
    for (const auto& v : views)
        out << "tokenbroker_profile_outputs_current{profile=\"" << label(v.name) << "\"} " << (v.outputsCurrent ? 1 : 0)
            << "\n";
    out << "# HELP tokenbroker_token_expiry_timestamp_seconds When the current token expires (0: none or never).\n"
           "# TYPE tokenbroker_token_expiry_timestamp_seconds gauge\n";
    for (const auto& v : views)
        out << "tokenbroker_token_expiry_timestamp_seconds{profile=\"" << label(v.name) << "\"} " << v.expiresAt << "\n";
    out << "# HELP tokenbroker_refreshes_total Renewals by result.\n"
           "# TYPE tokenbroker_refreshes_total counter\n";
    for (const auto& v : views)
    {
        out << "tokenbroker_refreshes_total{profile=\"" << label(v.name) << "\",result=\"ok\"} " << v.refreshes << "\n";
        out << "tokenbroker_refreshes_total{profile=\"" << label(v.name) << "\",result=\"error\"} " << v.failures << "\n";
    }
    out << "# HELP tokenbroker_consecutive_failures Failed renewals since the last success.\n"
           "# TYPE tokenbroker_consecutive_failures gauge\n";
    for (const auto& v : views)
        out << "tokenbroker_consecutive_failures{profile=\"" << label(v.name) << "\"} " << v.consecutiveFailures << "\n";
    return out.str();
}

namespace {

std::string statusPage(const std::vector<ProfileView>& views)
{
    const std::int64_t now = Clock::system().nowSeconds();
    std::ostringstream out;
    out << "<!doctype html><html><head><meta charset=\"utf-8\"><title>tokenbroker</title>"
           "<meta http-equiv=\"refresh\" content=\"10\">"
           "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left}"
           ".ready{color:#080}.bad{color:#b00}</style></head><body><h1>tokenbroker</h1>"
        << "<p>" << views.size() << " profiles, " << (allReady(views, now) ? "all ready" : "not all ready") << "</p>"
        << "<table><tr><th>profile</th><th>flow</th><th>status</th><th>expires</th><th>next refresh</th>"
           "<th>last error</th><th>plugin</th></tr>";
    for (const auto& v : views)
    {
        out << "<tr><td>" << html(v.name) << "</td><td>" << html(v.flow) << "</td><td class=\""
            << (profileReady(v, now) ? "ready" : "bad") << "\">" << toString(v.status);
        if (v.status == ProfileStatus::NeedsLogin)
            out << "<br><code>tokenbroker login " << html(v.name) << "</code>";
        out << "</td><td>" << (v.expiresAt ? isoTime(v.expiresAt) : "-") << "</td><td>"
            << (v.nextRefreshMs == never ? "-" : isoTime(v.nextRefreshMs / 1000)) << "</td><td>" << html(v.lastError)
            << "</td><td class=\"facts\">";
        const char* separator = "";
        for (const auto& [key, value] : descriptionFacts(v.description))
        {
            out << separator << html(key) << ": " << html(value);
            separator = "<br>";
        }
        out << "</td></tr>";
    }
    out << "</table></body></html>\n";
    return out.str();
}

class AdminHandler : public Poco::Net::HTTPRequestHandler
{
public:
    explicit AdminHandler(AdminBackend& backend)
        : _backend(backend)
    {
    }

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
    {
        const AdminAnswer answer =
            answerAdminRequest(_backend, request.getMethod(), request.getURI(), request.get("X-Tokenbroker", ""));
        response.set("Cache-Control", "no-store");
        response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
        response.setContentType(answer.contentType);
        response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
        response.send() << answer.body;
    }

private:
    AdminBackend& _backend;
};

class AdminFactory : public Poco::Net::HTTPRequestHandlerFactory
{
public:
    explicit AdminFactory(AdminBackend& backend)
        : _backend(backend)
    {
    }
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
    {
        return new AdminHandler(_backend);
    }

private:
    AdminBackend& _backend;
};

} // namespace

AdminAnswer answerAdminRequest(AdminBackend& backend, const std::string& method, const std::string& target,
                               const std::string& tokenbrokerHeader)
{
    using Status = Poco::Net::HTTPResponse::HTTPStatus;
    auto answer = [](Status status, const std::string& type, std::string body) {
        return AdminAnswer{static_cast<int>(status), type, std::move(body)};
    };
    std::string path;
    try
    {
        path = Poco::URI(target).getPath();
    }
    catch (const Poco::Exception&)
    {
        return answer(Status::HTTP_BAD_REQUEST, "text/plain", "malformed request target\n");
    }
    if (method == "GET" && path == "/healthz")
        return answer(Status::HTTP_OK, "text/plain", "ok\n");
    if (method == "GET" && path == "/readyz")
    {
        const bool ok = allReady(backend.profiles(), Clock::system().nowSeconds());
        return answer(ok ? Status::HTTP_OK : Status::HTTP_SERVICE_UNAVAILABLE, "text/plain", ok ? "ready\n" : "not ready\n");
    }
    if (method == "GET" && path == "/metrics")
        return answer(Status::HTTP_OK, "text/plain; version=0.0.4", profilesMetrics(backend.profiles()));
    if (method == "GET" && path == "/v1/profiles")
        return answer(Status::HTTP_OK, "application/json", profilesJson(backend.profiles()) + "\n");
    if (method == "GET" && path == "/")
        return answer(Status::HTTP_OK, "text/html; charset=utf-8", statusPage(backend.profiles()));
    if (method == "POST")
    {
        if (tokenbrokerHeader != "1")
            return answer(Status::HTTP_FORBIDDEN, "text/plain", "POST needs the header X-Tokenbroker: 1\n");
        if (path == "/v1/reload")
        {
            std::string errors;
            if (backend.reload(errors))
                return answer(Status::HTTP_OK, "text/plain", "reloaded\n");
            return answer(Status::HTTP_UNPROCESSABLE_ENTITY, "text/plain", errors + "\n");
        }
        const std::string prefix = "/v1/profiles/", suffix = "/refresh";
        if (path.size() > prefix.size() + suffix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
            path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
        {
            const std::string name = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
            if (backend.renewNow(name))
                return answer(Status::HTTP_ACCEPTED, "text/plain", "renewing " + name + "\n");
            // The name is the caller's text: echoed only as printable text.
            return answer(Status::HTTP_NOT_FOUND, "text/plain", "no profile " + printableText(name, 128) + "\n");
        }
    }
    return answer(Status::HTTP_NOT_FOUND, "text/plain", "not found\n");
}

AdminServer::AdminServer(const std::string& listen, AdminBackend& backend)
{
    Poco::Net::SocketAddress address(listen);
    Poco::Net::ServerSocket socket;
    socket.bind(address, true, false);
    socket.listen(64);
    const Poco::Net::SocketAddress bound = socket.address();
    _url = "http://" + (bound.family() == Poco::Net::AddressFamily::IPv6 ? "[" + bound.host().toString() + "]"
                                                                          : bound.host().toString()) +
           ":" + std::to_string(bound.port());
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    params->setKeepAlive(false);
    _server = std::make_unique<Poco::Net::HTTPServer>(new AdminFactory(backend), socket, params);
    _server->start();
}

AdminServer::~AdminServer()
{
    _server->stopAll(true);
}

} // namespace TokenBroker
