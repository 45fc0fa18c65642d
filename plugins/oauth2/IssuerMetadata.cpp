#include "IssuerMetadata.h"

#include "TokenAnswer.h"

#include <Poco/URI.h>

#include <map>

namespace TokenBroker::OAuth2 {

std::shared_ptr<IssuerMetadata> IssuerMetadata::forIssuer(const std::string& issuer)
{
    // Weak: the entry lives while a profile names the issuer.
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<IssuerMetadata>> known;
    std::lock_guard<std::mutex> lock(mutex);
    std::shared_ptr<IssuerMetadata> metadata = known[issuer].lock();
    if (!metadata)
    {
        metadata = std::make_shared<IssuerMetadata>(issuer);
        known[issuer] = metadata;
    }
    for (auto it = known.begin(); it != known.end();)
        it = it->second.expired() ? known.erase(it) : std::next(it);
    metadata->markStale();
    return metadata;
}

IssuerMetadata::IssuerMetadata(std::string issuer)
    : _issuer(std::move(issuer))
{
}

void IssuerMetadata::markStale()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _cached.reset();
}

std::string IssuerMetadata::openIdConfigurationUrl(const std::string& issuer)
{
    const bool slash = !issuer.empty() && issuer.back() == '/';
    return issuer + (slash ? "" : "/") + ".well-known/openid-configuration";
}

std::string IssuerMetadata::authorizationServerMetadataUrl(const std::string& issuer)
{
    // RFC 8414 §3.1: the well-known part goes between the host and the path.
    const Poco::URI uri(issuer);
    std::string path = uri.getPath();
    if (path == "/")
        path.clear();
    std::string authority = uri.getScheme() + "://" + uri.getAuthority();
    return authority + "/.well-known/oauth-authorization-server" + path;
}

std::optional<Outcome> IssuerMetadata::endpoints(Host& host, Endpoints& result)
{
    // Held across the requests: profiles of one issuer renewing at once
    // wait for one discovery instead of each making their own.
    std::lock_guard<std::mutex> lock(_mutex);
    if (!_cached)
    {
        Endpoints discovered;
        if (auto failed = discover(host, discovered))
            return failed;
        _cached = discovered;
    }
    result = *_cached;
    return std::nullopt;
}

namespace {

/// The issuer is https (a setting's rule), so are the endpoints it names:
/// a document sending the client's credentials in clear text is refused.
bool httpsUrl(const std::string& text)
{
    try
    {
        const Poco::URI uri(text);
        return uri.getScheme() == "https" && !uri.getHost().empty();
    }
    catch (const Poco::Exception&)
    {
        return false;
    }
}

/// Not there: another kind of document may be.
bool notFound(int status)
{
    return status == 404 || status == 410 || status == 400 || status == 403 || status == 405;
}

} // namespace

std::optional<Outcome> IssuerMetadata::discover(Host& host, Endpoints& result) const
{
    const std::string urls[] = {openIdConfigurationUrl(_issuer), authorizationServerMetadataUrl(_issuer)};
    std::string misses;
    for (const std::string& url : urls)
    {
        Response response;
        try
        {
            response = host.request("GET", url, {{"Accept", "application/json"}});
        }
        catch (const TransportFailure& e)
        {
            return Outcome::failure(TOKENBROKER_RETRY, "discovery at " + url + " failed: " + e.what());
        }
        if (notFound(response.status))
        {
            misses += (misses.empty() ? "" : ", ") + url + " (HTTP " + std::to_string(response.status) + ")";
            continue;
        }
        std::optional<Outcome> failure;
        std::string errorCode;
        Poco::JSON::Object::Ptr document = parseObjectAnswer(response, standardDialect(), failure, errorCode);
        if (!document)
        {
            failure->message = "discovery at " + url + ": " + failure->message;
            return failure;
        }
        // OpenID Connect Discovery §4.3 and RFC 8414 §3.3: a document naming
        // another issuer is a mix-up or an attack; its endpoints are not used.
        const std::string named = stringMember(document, "issuer");
        if (named != _issuer)
            return Outcome::failure(TOKENBROKER_FATAL, "discovery at " + url + " names issuer '" + excerpt(named) +
                                                           "', not '" + _issuer + "'; check 'issuer'");
        result.token = stringMember(document, "token_endpoint");
        result.authorization = stringMember(document, "authorization_endpoint");
        result.deviceAuthorization = stringMember(document, "device_authorization_endpoint");
        if (!httpsUrl(result.token))
            return Outcome::failure(TOKENBROKER_FATAL, "discovery at " + url + " gives no usable token_endpoint ('" +
                                                           excerpt(result.token) + "', not an https URL); set "
                                                           "'token_endpoint'");
        for (const std::string* optional : {&result.authorization, &result.deviceAuthorization})
        {
            if (!optional->empty() && !httpsUrl(*optional))
                return Outcome::failure(TOKENBROKER_FATAL, "discovery at " + url + " names an endpoint that is not "
                                                               "an https URL ('" + excerpt(*optional) + "')");
        }
        return std::nullopt;
    }
    return Outcome::failure(TOKENBROKER_FATAL, "issuer '" + _issuer + "' publishes no metadata: " + misses +
                                                   "; set 'token_endpoint' instead of discovery");
}

} // namespace TokenBroker::OAuth2
