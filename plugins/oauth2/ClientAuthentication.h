#pragma once

#include "FormEncoding.h"
#include "JwtAssertion.h"
#include "PluginKit.h"

#include <map>
#include <memory>
#include <string>

namespace TokenBroker::OAuth2 {

using namespace TokenBroker::Kit;

/// How the client proves who it is to the token endpoint (`client_auth`).
class ClientAuthentication
{
public:
    enum class Method { SecretBasic, SecretPost, PrivateKeyJwt, None };

    /// From `client_auth` (default: client_secret_basic with a secret, none
    /// without), checked against `client_secret` / `private_key`. Throws
    /// SettingError. `signer` signs private_key_jwt assertions (null unless
    /// the method needs it).
    ClientAuthentication(const Settings& settings, std::shared_ptr<const Jwt::JwtAssertion> signer);

    /// Adds the credentials to a token request: the Authorization header
    /// (RFC 6749 §2.3.1: id and secret form-encoded, then Basic), the body's
    /// client_id/client_secret, or a client assertion (RFC 7523 §2.2, its
    /// `aud` the token endpoint) signed now.
    void apply(Host& host, const std::string& tokenEndpoint, FormFields& fields,
               std::map<std::string, std::string>& headers) const;

    Method method() const { return _method; }
    static std::string name(Method method);

private:
    std::string _clientId;
    std::string _clientSecret;
    Method _method;
    std::shared_ptr<const Jwt::JwtAssertion> _signer;
};

} // namespace TokenBroker::OAuth2
