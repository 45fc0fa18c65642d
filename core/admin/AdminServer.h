#pragma once

#include "ProfileView.h"

#include <Poco/Net/HTTPServer.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace TokenBroker {

/// What the admin endpoint shows and can do.
class AdminBackend
{
public:
    virtual ~AdminBackend() = default;
    virtual std::vector<ProfileView> profiles() const = 0;
    /// Re-reads the configuration; false with the errors when it is broken.
    virtual bool reload(std::string& errors) = 0;
    /// Renews one profile now (e.g. after `tokenbroker login`).
    virtual bool renewNow(const std::string& profile) = 0;
};

/// The admin HTTP endpoint (loopback by default):
///   GET  /healthz                   200 while running
///   GET  /readyz                    200 once every profile holds a valid token, else 503
///   GET  /metrics                   Prometheus text
///   GET  /v1/profiles               JSON state per profile (no secrets), with the
///                                   plugin's describe() facts under "plugin"
///   GET  /                          HTML status page, facts included
///   POST /v1/reload                 re-read the configuration
///   POST /v1/profiles/NAME/refresh  renew NAME now
/// POSTs must carry "X-Tokenbroker: 1", a header no web page can add to a
/// cross-site request, so a browser visiting a hostile page cannot drive them.
class AdminServer
{
public:
    /// Binds HOST:PORT (port 0 picks a free one); throws Poco::Exception.
    AdminServer(const std::string& listen, AdminBackend& backend);
    ~AdminServer();

    /// "http://HOST:PORT" actually bound.
    const std::string& url() const { return _url; }

private:
    std::unique_ptr<Poco::Net::HTTPServer> _server;
    std::string _url;
};

/// One answer of the admin endpoint.
struct AdminAnswer
{
    int status = 404;
    std::string contentType;
    std::string body;
};

/// Everything the endpoint does but HTTP: routes one request (its method,
/// its request target as sent, and its X-Tokenbroker header) to `backend`.
/// Never throws for any input; a target that is no URI is a 400.
AdminAnswer answerAdminRequest(AdminBackend& backend, const std::string& method, const std::string& target,
                               const std::string& tokenbrokerHeader);

/// Renders ProfileView lists; shared by the admin endpoint and `status`.
std::string profilesJson(const std::vector<ProfileView>& views);
std::string profilesMetrics(const std::vector<ProfileView>& views);
/// Ready means holding a valid token that every output holds too; what
/// /readyz and the service manager's status count.
bool profileReady(const ProfileView& view, std::int64_t nowSeconds);
bool allReady(const std::vector<ProfileView>& views, std::int64_t nowSeconds);

/// A plugin's describe() text as `key: value` facts, in key order: strings
/// as they are, other values as compact JSON. Nothing for text that is not
/// a JSON object. Shared by the status page and `check --verbose`.
std::vector<std::pair<std::string, std::string>> descriptionFacts(const std::string& descriptionJson);

} // namespace TokenBroker
