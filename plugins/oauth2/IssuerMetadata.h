#pragma once

#include "PluginKit.h"

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace TokenBroker::OAuth2 {

using namespace TokenBroker::Kit;

/// Where an authorization server takes requests.
struct Endpoints
{
    std::string token;
    std::string authorization;
    std::string deviceAuthorization;
};

/// An issuer's metadata, read by discovery: OpenID Connect Discovery
/// (`ISSUER/.well-known/openid-configuration`), then RFC 8414
/// (`ORIGIN/.well-known/oauth-authorization-server/PATH`) when the first is
/// not there. One object per issuer is shared by every profile naming it,
/// so a fleet of profiles of one server discovers once; a reload (which
/// creates the flows anew) marks it stale, so the next use reads it again.
class IssuerMetadata
{
public:
    /// The shared object for `issuer`, marked stale.
    static std::shared_ptr<IssuerMetadata> forIssuer(const std::string& issuer);

    explicit IssuerMetadata(std::string issuer);

    /// The discovered endpoints, read now when stale; a failure classified
    /// as every token answer is (RETRY for transport, 5xx and redirects;
    /// FATAL for a document that is missing, not JSON, for another issuer or
    /// without a token endpoint).
    std::optional<Outcome> endpoints(Host& host, Endpoints& result);

    /// The next endpoints() reads the documents again.
    void markStale();

    const std::string& issuer() const { return _issuer; }

    /// The two discovery URLs, in the order tried.
    static std::string openIdConfigurationUrl(const std::string& issuer);
    static std::string authorizationServerMetadataUrl(const std::string& issuer);

private:
    std::optional<Outcome> discover(Host& host, Endpoints& result) const;

    const std::string _issuer;
    std::mutex _mutex;
    std::optional<Endpoints> _cached;
};

} // namespace TokenBroker::OAuth2
