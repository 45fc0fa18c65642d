#pragma once

#include "AdminToken.h"
#include "DaemonView.h"
#include "ProfileView.h"
#include "Token.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/SocketAddress.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace TokenBroker {

/// How POST /v1/profiles/NAME/login went.
enum class LoginStart { Started, AlreadyRunning, NoSuchProfile, NotNeeded, NeedsTerminal };

/// What the admin endpoint shows and can do.
class AdminBackend
{
public:
    virtual ~AdminBackend() = default;
    virtual std::vector<ProfileView> profiles() const = 0;
    virtual DaemonView daemonView() const = 0;
    /// Re-reads the configuration; false with the errors when it is broken.
    virtual bool reload(std::string& errors) = 0;
    /// Renews one profile now (e.g. after `tokenbroker login`).
    virtual bool renewNow(const std::string& profile) = 0;
    /// The token `profile` has published (possibly expired); false when
    /// there is no such profile.
    virtual bool publishedToken(const std::string& profile, std::optional<Token>& token) const = 0;
    /// Starts a device login run by the daemon for a profile in needs_login.
    virtual LoginStart startLogin(const std::string& profile) = 0;
};

/// The admin HTTP endpoint (loopback by default):
///   GET  /healthz                   200 while running
///   GET  /readyz                    200 once every profile holds a valid token, else 503
///                                   naming each profile that is not ready and why
///   GET  /metrics                   Prometheus text
///   GET  /v1/profiles               JSON state per profile (no secrets), with the
///                                   plugin's describe() facts under "plugin"
///   GET  /                          HTML status page, facts included
///   GET  /v1/profiles/NAME/token    the token NAME has published, in the json
///                                   output format (needs the admin token)
///   POST /v1/reload                 re-read the configuration
///   POST /v1/profiles/NAME/refresh  renew NAME now
///   POST /v1/profiles/NAME/login    start a device login run by the daemon
/// GETs are open to every local user and show no secret. POSTs, and the one
/// GET that answers with a secret, need "Authorization: Bearer" with the
/// AdminToken, which only the daemon's user
/// (and root) can read. A request whose Host header names another host is
/// refused: a web page cannot reach the endpoint by rebinding its own name
/// to 127.0.0.1.
/// Where the endpoint listens, and its TLS certificate and key (PEM files;
/// both empty: plain HTTP, for loopback).
struct AdminListen
{
    std::string address;   ///< HOST:PORT; port 0 picks a free one
    std::string certFile;
    std::string keyFile;
};

class AdminServer
{
public:
    /// Binds and serves; throws Poco::Exception (a port in use, a
    /// certificate or key that does not load).
    AdminServer(const AdminListen& listen, AdminBackend& backend, AdminToken token);
    ~AdminServer();

    /// "http://HOST:PORT" actually bound ("https://" with TLS; for a
    /// wildcard address, 127.0.0.1): where the CLI on this machine asks.
    const std::string& url() const { return _url; }

private:
    std::unique_ptr<Poco::Net::HTTPServer> _server;
    std::string _url;
};

/// One request, as the endpoint judges it.
struct AdminRequest
{
    std::string method;
    std::string target;         ///< the request target as sent
    std::string host;           ///< the Host header; empty when there is none
    std::string authorization;  ///< the Authorization header; empty when there is none
};

/// Whom the endpoint answers: the Host header values that name it, and the
/// token a POST must carry.
struct AdminAccess
{
    std::vector<std::string> hosts;
    AdminToken token;
};

/// The Host header values that name `bound`: "HOST:PORT" as bound, and for a
/// loopback or wildcard address also localhost, 127.0.0.1 and [::1] with the
/// port; plus each of `certificateNames` with the port (with TLS, a page
/// that rebinds its name cannot get past the certificate check anyway).
std::vector<std::string> hostsNaming(const Poco::Net::SocketAddress& bound,
                                     const std::set<std::string>& certificateNames = {});

/// One answer of the admin endpoint.
struct AdminAnswer
{
    int status = 404;
    std::string contentType;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  ///< besides the content type
};

/// Everything the endpoint does but HTTP: judges and routes one request to
/// `backend`. Never throws for any input; a target that is no URI is a 400.
AdminAnswer answerAdminRequest(AdminBackend& backend, const AdminRequest& request, const AdminAccess& access);

/// Renders ProfileView lists; shared by the admin endpoint and `status`.
std::string profilesJson(const std::vector<ProfileView>& views);
/// Ready means holding a valid token that every output holds too; what
/// /readyz and the service manager's status count.
bool profileReady(const ProfileView& view, std::int64_t nowSeconds);
bool allReady(const std::vector<ProfileView>& views, std::int64_t nowSeconds);
/// One line per profile that is not ready, "  NAME (status[: last error])";
/// empty when all are. /readyz's 503 body.
std::string notReadyList(const std::vector<ProfileView>& views, std::int64_t nowSeconds);

/// A plugin's describe() text as `key: value` facts, in key order: strings
/// as they are, other values as compact JSON. Nothing for text that is not
/// a JSON object. Shared by the status page and `check --verbose`.
std::vector<std::pair<std::string, std::string>> descriptionFacts(const std::string& descriptionJson);

} // namespace TokenBroker
