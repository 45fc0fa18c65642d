#pragma once

#include "AuthorizationCode.h"
#include "UserFlow.h"

namespace TokenBroker::OAuth {

/// `web` (confidential client, client secret) and `pkce` (public client,
/// code verifier): the browser is sent to the authorize URL, the redirect
/// lands on the host's loopback listener, the code is exchanged.
class AuthorizationCodeFlow : public UserFlow
{
public:
    enum class Kind { Web, Pkce };

    AuthorizationCodeFlow(Kind kind, const Settings& settings);

    Outcome login(Host& host) override;
    Poco::JSON::Object::Ptr describe() const override;

    /// The authorize URL as the SDKs build it (coze-oauth.md §3.2, §3.3).
    std::string authorizeUrl(const std::string& state, const std::string& codeChallenge) const;

protected:
    std::string refreshCredential() const override { return _clientSecret; }

private:
    Kind _kind;
    std::string _wwwBaseUrl;
    std::string _redirectUri;
    std::string _clientSecret;        ///< web only
    std::string _challengeMethod;     ///< pkce: S256 or plain
    std::int64_t _loginTimeout;
};

} // namespace TokenBroker::OAuth
