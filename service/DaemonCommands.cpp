// The commands that talk to the running daemon's admin endpoint: status,
// reload, and `token` while a daemon runs. None needs the configuration:
// a user who may not read it still finds the daemon (AdminClient::locate).
#include "TokenBrokerApp.h"
#include "Duration.h"

#include "AdminToken.h"
#include "Clock.h"
#include "CredentialFormat.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Timestamp.h>

#include <chrono>
#include <iostream>
#include <thread>

namespace TokenBroker {

namespace {

/// Rows of text cells printed with each column as wide as its widest cell.
void printAligned(const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> widths;
    for (const auto& row : rows)
    {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], row[i].size());
    }
    for (const auto& row : rows)
    {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i)
        {
            line += row[i];
            if (i + 1 < row.size())
                line += std::string(widths[i] - row[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        std::cout << line << "\n";
    }
}

/// A token as GET /v1/profiles/NAME/token answers it.
Token parsePublishedToken(const std::string& body)
{
    auto object = Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
    Token token;
    token.accessToken = object->getValue<std::string>("access_token");
    token.expiresAt = object->optValue<Poco::Int64>("expires_at", 0);
    token.tokenType = object->optValue<std::string>("token_type", "Bearer");
    token.obtainedAt = object->optValue<Poco::Int64>("obtained_at", 0);
    return token;
}

} // namespace

AdminClient TokenBrokerApp::daemonClient() const
{
    return AdminClient::locate(_adminUrl, _config ? &_config->broker : nullptr);
}

std::variant<HttpResponse, int> TokenBrokerApp::askDaemon(const std::string& command, const std::string& method,
                                                         const std::string& path) const
{
    try
    {
        const AdminClient admin = daemonClient();
        return method == "POST" ? admin.post(path) : admin.get(path);
    }
    catch (const AdminTokenUnreadable& e)
    {
        std::cerr << "tokenbroker " << command << ": " << e.what() << "\n";
        return TokenFailure;
    }
    catch (const TransportError& e)
    {
        std::cerr << "tokenbroker " << command << ": no daemon answered (" << e.what()
                  << "); is it running? --admin URL names its endpoint\n";
        if (_configError)
            std::cerr << "(the configuration could not be read: " << *_configError << ")\n";
        return TokenFailure;
    }
}

int TokenBrokerApp::commandStatus()
{
    const auto asked = askDaemon("status", "GET", "/v1/profiles");
    if (const int* failure = std::get_if<int>(&asked))
        return *failure;
    const HttpResponse& answer = std::get<HttpResponse>(asked);
    Poco::JSON::Array::Ptr profiles;
    try
    {
        profiles = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Array::Ptr>();
    }
    catch (const Poco::Exception&)
    {
        std::cerr << "tokenbroker status: the admin endpoint answered HTTP " << answer.status << " without a profile list\n";
        return TokenFailure;
    }
    int rc = Success;
    std::vector<std::vector<std::string>> rows{{"PROFILE", "FLOW", "STATE", "EXPIRES", "NEXT REFRESH", "NOTE"}};
    for (std::size_t i = 0; i < profiles->size(); ++i)
    {
        auto p = profiles->getObject(static_cast<unsigned>(i));
        const std::string status = p->optValue<std::string>("status", "");
        if (status != "ready")
            rc = TokenFailure;
        const auto expiresAt = p->optValue<Poco::Int64>("expires_at", 0);
        const auto nextRefresh = p->isNull("next_refresh") ? 0 : p->optValue<Poco::Int64>("next_refresh", 0);
        std::string note;
        if (p->has("login_command"))
            note = "run: " + p->getValue<std::string>("login_command");
        else if (status != "ready")
            note = p->optValue<std::string>("last_error", "");
        rows.push_back({p->optValue<std::string>("name", ""), p->optValue<std::string>("flow", ""),
                        p->optValue<std::string>("state", status), expiresAt ? formatUtcTime(expiresAt) : "-",
                        nextRefresh ? formatUtcTime(nextRefresh) : "-", note});
    }
    if (_json)
        std::cout << answer.body << (answer.body.empty() || answer.body.back() != '\n' ? "\n" : "");
    else
        printAligned(rows);
    return rc;
}

int TokenBrokerApp::commandReload()
{
    const auto asked = askDaemon("reload", "POST", "/v1/reload");
    if (const int* failure = std::get_if<int>(&asked))
        return *failure;
    const HttpResponse& answer = std::get<HttpResponse>(asked);
    if (answer.status == 200)
    {
        std::cout << "reloaded\n";
        return Success;
    }
    // The daemon kept its previous configuration and says why (file:line:col).
    std::cerr << "tokenbroker reload: the daemon kept its previous configuration:\n" << answer.body;
    if (!answer.body.empty() && answer.body.back() != '\n')
        std::cerr << "\n";
    return UsageError;
}

std::optional<int> TokenBrokerApp::tokenFromDaemon(const std::string& name)
{
    const AdminClient admin = daemonClient();
    try
    {
        // Open to all: tells whether a daemon runs before its token is read.
        admin.get("/healthz");
    }
    catch (const TransportError&)
    {
        return std::nullopt;
    }
    const std::string path = "/v1/profiles/" + name + "/token";
    // A renewal asked for below has a request deadline of its own; this
    // bounds the wait for it and for a daemon still on its first attempt.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::optional<std::string> tooShort;  ///< the token a renewal was asked to replace
    try
    {
        while (true)
        {
            const HttpResponse answer = admin.getWithToken(path);
            if (answer.status == 200)
            {
                const Token token = parsePublishedToken(answer.body);
                // After a renewal on request, its token is the freshest there
                // can be, whatever this process's clock makes of it.
                if (usableForCaller(token, Clock::system().nowMs()) || (tooShort && token.accessToken != *tooShort))
                {
                    std::cout << formatCredential(token, _format, name);
                    return Success;
                }
                if (!tooShort)
                {
                    // About to expire: the daemon renews it now, the caller waits.
                    admin.post("/v1/profiles/" + name + "/refresh");
                    tooShort = token.accessToken;
                }
            }
            else if (answer.status == 404)
            {
                std::cerr << "tokenbroker token: the running daemon has no profile '" << name
                          << "'; if it was just added, run tokenbroker reload\n";
                return TokenFailure;
            }
            else if (answer.status != 503)
            {
                std::cerr << "tokenbroker token: the admin endpoint answered HTTP " << answer.status << ": "
                          << answer.body;
                return TokenFailure;
            }
            if (std::chrono::steady_clock::now() >= deadline)
            {
                std::cerr << "tokenbroker token: the running daemon holds no valid token for '" << name
                          << "'; see tokenbroker status\n";
                return TokenFailure;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    }
    catch (const AdminTokenUnreadable& e)
    {
        std::cerr << "tokenbroker token: cannot ask the running daemon for '" << name << "': " << e.what() << "\n";
        return TokenFailure;
    }
    catch (const TransportError& e)
    {
        std::cerr << "tokenbroker token: the running daemon stopped answering: " << e.what() << "\n";
        return TokenFailure;
    }
    catch (const Poco::Exception& e)
    {
        std::cerr << "tokenbroker token: the running daemon's answer is no token: " << e.displayText() << "\n";
        return TokenFailure;
    }
}

} // namespace TokenBroker
