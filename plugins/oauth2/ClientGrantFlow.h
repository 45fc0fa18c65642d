#pragma once

#include "TokenRequests.h"

namespace TokenBroker::OAuth2 {

/// The grants of `flow: oauth2` that need nobody: client_credentials
/// (RFC 6749 §4.4) and jwt_bearer (RFC 7523 §2.1). Each renewal makes a new
/// request: a refresh token is neither expected nor needed for them.
class ClientGrantFlow : public Flow
{
public:
    enum class Grant { ClientCredentials, JwtBearer };

    ClientGrantFlow(Grant grant, const Settings& settings);

    Outcome acquire(Host& host) override;
    Poco::JSON::Object::Ptr describe() const override;

private:
    /// The RFC 7523 §2.1 assertion the jwt_bearer grant presents.
    std::string bearerAssertion(Host& host, const std::string& endpoint) const;

    Grant _grant;
    std::shared_ptr<const Jwt::JwtAssertion> _signer;
    TokenRequests _requests;
    std::string _assertionIssuer;
    std::string _assertionSubject;
    std::string _assertionAudience;
    std::map<std::string, std::string> _assertionClaims;
};

} // namespace TokenBroker::OAuth2
