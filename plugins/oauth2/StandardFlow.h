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

/// `flow: oauth2`: a standards OAuth 2.0 client of any authorization
/// server, configured from settings alone. The grants that need nobody:
/// client_credentials (RFC 6749 §4.4) and jwt_bearer (RFC 7523 §2.1); each
/// renewal makes a new request, as a refresh token is neither expected nor
/// needed for them.
class StandardFlow : public Flow
{
public:
    enum class Grant { ClientCredentials, JwtBearer };

    explicit StandardFlow(const Settings& settings);

    Outcome acquire(Host& host) override;
    Poco::JSON::Object::Ptr describe() const override;

    static std::string name(Grant grant);

private:
    /// The token endpoint: the setting, or discovered from the issuer.
    std::optional<Outcome> tokenEndpoint(Host& host, std::string& url) const;

    /// POSTs the grant's fields with the common ones (scope, audience,
    /// resource, extra_params) and the client's credentials; classifies the
    /// answer and picks the token to publish.
    Outcome exchange(Host& host, const std::string& endpoint, FormFields fields) const;

    /// The RFC 7523 §2.1 assertion the jwt_bearer grant presents.
    std::string bearerAssertion(Host& host, const std::string& endpoint) const;

    /// An answer's failure, said for an operator: nobody can log in to
    /// these grants, so a rejection needs the configuration looked at.
    Outcome rejected(Outcome outcome, const std::string& errorCode, const std::string& endpoint) const;

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

    Grant _grant;
    std::string _clientId;
    std::string _explicitTokenEndpoint;
    std::shared_ptr<IssuerMetadata> _issuer;
    std::shared_ptr<const Jwt::JwtAssertion> _signer;
    ClientAuthentication _clientAuth;
    std::vector<std::string> _scope;
    std::string _audience;
    std::string _resource;
    std::map<std::string, std::string> _extraParams;
    bool _publishIdToken = false;
    std::int64_t _defaultLifetime;
    Answers _answers;
    // jwt_bearer
    std::string _assertionIssuer;
    std::string _assertionSubject;
    std::string _assertionAudience;
    std::map<std::string, std::string> _assertionClaims;
};

} // namespace TokenBroker::OAuth2
