#pragma once

#include "RefreshTokenKeeper.h"
#include "TokenRequests.h"

namespace TokenBroker::OAuth2 {

/// The grants of `flow: oauth2` a person authorises once, through
/// `tokenbroker login`: authorization_code with PKCE S256 (RFC 6749 §4.1,
/// RFC 7636) and device_code (RFC 8628). Renewed afterwards with the
/// refresh token (RFC 6749 §6), rotation-safe (RefreshTokenKeeper); a
/// refused refresh token (invalid_grant) means a new login.
class UserGrantFlow : public Flow
{
public:
    enum class Grant { AuthorizationCode, DeviceCode };

    UserGrantFlow(Grant grant, const Settings& settings);

    Outcome acquire(Host& host) override { return refresh(host); }
    Outcome refresh(Host& host) override;
    Outcome login(Host& host) override;
    Poco::JSON::Object::Ptr describe() const override;

private:
    Outcome loginInBrowser(Host& host, const Endpoints& endpoints);
    Outcome loginWithDeviceCode(Host& host, const Endpoints& endpoints);

    /// The authorization request URL (RFC 6749 §4.1.1, RFC 7636 §4.3).
    std::string authorizationUrl(const std::string& endpoint, const std::string& state,
                                 const std::string& challenge) const;

    /// Keeps the answer's refresh token, then publishes its token. A login's
    /// answer with neither expires_in, a JWT exp nor a refresh token (GitHub
    /// OAuth apps) is a token that never expires: nothing could renew it.
    Outcome finish(Host& host, const TokenAnswer& answer, const std::string& endpoint, bool fromLogin = false);

    std::string loginHint() const;

    Grant _grant;
    TokenRequests _requests;
    RefreshTokenKeeper _refreshToken;
    std::string _profile;
    std::string _redirectUri;
    std::map<std::string, std::string> _authorizationParams;
    std::int64_t _loginTimeout;
    std::int64_t _minimumPollInterval;
};

} // namespace TokenBroker::OAuth2
