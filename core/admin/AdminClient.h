#pragma once

#include "Config.h"
#include "HttpClient.h"

#include <string>
#include <vector>

namespace TokenBroker {

/// Talks to a running daemon's admin endpoint, for the CLI (status, reload,
/// token, login).
class AdminClient
{
public:
    /// The daemon of this configuration: its listen address, or (for port
    /// 0) the URL the daemon recorded in state_dir.
    explicit AdminClient(const BrokerSettings& settings);

    /// Where the CLI looks for the running daemon without needing to read
    /// the configuration (a normal user may not): `explicitUrl` (--admin)
    /// when given; else the configuration's daemon when `settings` could be
    /// read; else the default listen address, then the URL recorded in the
    /// default state_dir when this user can read it. The admin token is read
    /// from `settings`' state_dir, else the default one.
    static AdminClient locate(const std::string& explicitUrl, const BrokerSettings* settings);

    /// The first address tried; empty when the endpoint is off.
    std::string url() const { return _urls.empty() ? std::string() : _urls.front(); }

    /// Throws TransportError when no daemon answers at any address.
    HttpResponse get(const std::string& path) const;
    /// With the daemon's AdminToken; throws AdminTokenUnreadable (before
    /// anything is sent) when this user cannot read it.
    HttpResponse post(const std::string& path) const;
    /// GET with the AdminToken (a path that answers with a secret).
    HttpResponse getWithToken(const std::string& path) const;

    /// Where the daemon records its admin URL for `status` and `login`.
    static std::string urlFile(const BrokerSettings& settings);

private:
    AdminClient() = default;
    HttpResponse send(HttpRequest request) const;

    std::vector<std::string> _urls;  ///< tried in order while none answers
    std::string _stateDir;
    std::string _caFile;             ///< broker.admin.cert when the endpoint serves TLS
};

} // namespace TokenBroker
