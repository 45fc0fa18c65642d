#pragma once

#include "CozeProtocol.h"
#include "PluginKit.h"
#include "RefreshTokenKeeper.h"

#include <optional>
#include <string>

namespace TokenBroker::OAuth {

using namespace TokenBroker::Kit;

/// What the Coze user-authorised flows (web, pkce, device) share: a refresh
/// token kept in the host's state, rotated on every refresh and stored
/// durably before the new access token is handed out; no refresh token (or
/// a revoked one) means the profile needs `tokenbroker login`.
class UserFlow : public Flow
{
public:
    explicit UserFlow(const Settings& settings);

    Outcome acquire(Host& host) override { return refresh(host); }
    Outcome refresh(Host& host) override;

protected:
    /// POSTs a grant to the token endpoint and classifies the answer.
    Coze::TokenAnswer postToken(Host& host, const Poco::JSON::Object& body, const std::string& bearer) const;

    /// Stores the answer's refresh token (even from an answer that failed
    /// validation), then returns its access token or its failure
    /// (RefreshTokenKeeper).
    Outcome finish(Host& host, const Coze::TokenAnswer& answer);

    /// The Authorization credential of a refresh (web apps: the client secret).
    virtual std::string refreshCredential() const { return {}; }

    /// "/api/permission/oauth2[/workspace_id/WS]" + suffix
    std::string oauthPath(const std::string& suffix) const;

    std::string loginHint() const;

    std::string _profile;
    std::string _clientId;
    std::string _workspaceId;

private:
    RefreshTokenKeeper _refreshToken;
};

} // namespace TokenBroker::OAuth
