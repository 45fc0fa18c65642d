#pragma once

#include "ClientAuthentication.h"
#include "FormEncoding.h"
#include "IssuerMetadata.h"
#include "JwtAssertion.h"
#include "PluginKit.h"
#include "TokenAnswer.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace TokenBroker::OAuth2 {

/// What every grant of `flow: oauth2` shares: the server's endpoints
/// (settings over discovery), the client's authentication, the parameters
/// added to token requests, how answers are read and which token of an
/// answer is published.
class TokenRequests
{
public:
    /// Throws SettingError. `signer` signs client assertions (null when the
    /// profile has no private_key); `grantSigns`: the grant uses it too
    /// (jwt_bearer), otherwise a private_key needs client_auth private_key_jwt.
    TokenRequests(const Settings& settings, std::shared_ptr<const Jwt::JwtAssertion> signer, bool grantSigns);

    /// The endpoints: each setting given wins over discovery; without an
    /// issuer only the settings. A failure when discovery fails.
    std::optional<Outcome> endpoints(Host& host, Endpoints& result) const;

    /// POSTs a form to `endpoint` with the common parameters (scope when
    /// `withScope`; resource, audience, extra_params) and the client's
    /// credentials. Throws TransportFailure when no answer came.
    Response send(Host& host, const std::string& endpoint, FormFields fields, bool withScope) const;

    /// send(), its answer classified as a token answer. A lost connection is
    /// a RETRY answer, unless `throwOnTransport` (pollers retry it themselves).
    TokenAnswer post(Host& host, const std::string& endpoint, FormFields fields, bool withScope,
                     bool throwOnTransport = false) const;

    /// How this server's answers are read.
    const AnswerDialect& dialect() const { return _answers; }

    /// The token a good answer publishes: its access token, or its
    /// id_token (with the id_token's own expiry) when publish says so.
    Outcome published(Host& host, const TokenAnswer& answer, const std::string& endpoint) const;

    /// "token request to URL rejected: ..." with a hint for the codes an
    /// operator can act on; RETRY stays RETRY.
    Outcome explained(Outcome outcome, const std::string& errorCode, const std::string& endpoint) const;

    const std::string& clientId() const { return _clientId; }
    /// The issuer, or the token endpoint when there is none: the server
    /// a refresh token belongs to.
    std::string server() const;
    /// The issuer the server names itself in redirects (RFC 9207); "" without discovery.
    std::string issuer() const { return _issuer ? _issuer->issuer() : std::string(); }
    std::string scope() const;
    const std::string& resource() const { return _resource; }
    const std::string& audience() const { return _audience; }
    void describe(Poco::JSON::Object& description) const;

private:
    /// How this server's answers read (expires_in quoted or missing).
    class Answers : public AnswerDialect
    {
    public:
        explicit Answers(std::int64_t defaultLifetime) : _defaultLifetime(defaultLifetime) {}
        bool quotedExpiryAccepted() const override { return true; }
        std::optional<std::int64_t> expiryWithoutExpiresIn(const std::string& accessToken,
                                                           std::int64_t nowSeconds) const override;

    private:
        std::int64_t _defaultLifetime;
    };

    std::string _clientId;
    Endpoints _explicit;
    std::shared_ptr<IssuerMetadata> _issuer;
    ClientAuthentication _clientAuth;
    std::vector<std::string> _scope;
    std::string _audience;
    std::string _resource;
    std::map<std::string, std::string> _extraParams;
    bool _publishIdToken = false;
    std::int64_t _defaultLifetime;
    Answers _answers;
};

/// An absolute http(s) URL (https only when `httpsOnly`) without fragment.
bool absoluteUrl(const std::string& text, bool httpsOnly);

/// The profile's private_key as a signer (alg RS256, the default, or ES256;
/// key_id as kid), or null without one. Throws SettingError for an unusable
/// key or one that does not fit alg.
std::shared_ptr<const Jwt::JwtAssertion> assertionSigner(const Settings& settings);

/// Words joined by single spaces (scope).
std::string joined(const std::vector<std::string>& words);

} // namespace TokenBroker::OAuth2
