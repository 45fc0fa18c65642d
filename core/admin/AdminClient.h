#pragma once

#include "Config.h"
#include "HttpClient.h"

#include <string>

namespace TokenBroker {

/// Talks to a running daemon's admin endpoint: the configured listen
/// address, or (for port 0) the URL the daemon recorded in state_dir.
class AdminClient
{
public:
    explicit AdminClient(const BrokerSettings& settings);

    /// Empty when the endpoint is off.
    const std::string& url() const { return _url; }

    /// Throws TransportError when no daemon answers.
    HttpResponse get(const std::string& path) const;
    /// With the daemon's AdminToken; throws AdminTokenUnreadable (before
    /// anything is sent) when this user cannot read it.
    HttpResponse post(const std::string& path) const;

    /// Where the daemon records its admin URL for `status` and `login`.
    static std::string urlFile(const BrokerSettings& settings);

private:
    std::string _url;
    std::string _stateDir;
};

} // namespace TokenBroker
