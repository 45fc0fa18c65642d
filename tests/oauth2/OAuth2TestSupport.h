#pragma once

// Shared by the oauth2 suites: one oidc-provider for the whole run with a
// client per case, keys, a broker configuration in a temp dir, and readers
// for what the server recorded.

#include "ChildProcess.h"
#include "OidcProvider.h"
#include "TempDir.h"

#include <Poco/JSON/Object.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace TokenBroker::Test::OAuth2 {

extern const std::string kSecret;             ///< of basic-client and post-client
extern const std::string kIntrospector;       ///< a resource server that may introspect any token
extern const std::string kIntrospectorSecret;

/// RSA keys made once per run: `client` is registered (jwt-client's JWKS,
/// the trusted jwt-bearer issuer), `stranger` nowhere.
struct Keys
{
    Keys();
    TempDir dir;
    std::string clientKey = dir.file("client.key");
    std::string clientPublic = dir.file("client.pub");
    std::string strangerKey = dir.file("stranger.key");
    std::string strangerPublic = dir.file("stranger.pub");
    std::string ecKey = dir.file("ec.key");   ///< P-256, registered as es-client's key

    static const Keys& get();
};

/// The clients of the standard server: basic-client, post-client,
/// jwt-client (private_key_jwt, RS256), es-client (private_key_jwt, ES256), bearer-client (jwt-bearer), app-client
/// (authorization_code + PKCE, public, redirect to redirectUri()),
/// tv-client (device_code, public), introspector; the resource
/// https://api.example.test (scopes read, write); the jwt-bearer issuer
/// robot@example.test.
OidcProvider::Options standardServer();

/// The standard server, started on first use and shared by the run.
OidcProvider& server();

/// app-client's registered redirect: http://127.0.0.1:PORT/cb, a port free
/// when the run began.
const std::string& redirectUri();

/// A broker configuration in a temp dir; each profile writes out/NAME.token.
struct Broker
{
    TempDir dir;
    std::string config = dir.file("tokenbroker.yaml");

    /// `profiles` maps a name to its settings lines (indented 4 spaces,
    /// without flow, ca_file and outputs, which are added).
    void write(const std::vector<std::pair<std::string, std::string>>& profiles, const std::string& caFile) const;
    /// The token a raw output holds (it ends the line it writes).
    std::string token(const std::string& name) const;
    bool hasToken(const std::string& name) const;
    /// `tokenbroker ARGS -c config` to completion.
    RunResult run(const std::vector<std::string>& args) const;
    /// `tokenbroker ARGS -c config`, running.
    std::unique_ptr<ChildProcess> start(const std::vector<std::string>& args) const;
    /// The refresh token the broker keeps for `profile` (its state file).
    std::string storedRefreshToken(const std::string& profile) const;
};

/// The claims of a compact JWS, not verified.
Poco::JSON::Object::Ptr jwtPayload(const std::string& compact);
/// Its protected header.
Poco::JSON::Object::Ptr jwtHeader(const std::string& compact);

/// A form parameter of a recorded request; "" when absent.
std::string param(const Poco::JSON::Object::Ptr& request, const std::string& name);
/// The Authorization header of a recorded request; "" when absent.
std::string authorizationOf(const Poco::JSON::Object::Ptr& request);

/// `broker` wrote a token for `profile` that the server itself calls
/// active, issued to `clientId`; returns the introspection.
Poco::JSON::Object::Ptr expectLiveToken(const Broker& broker, const std::string& profile, const std::string& clientId);

} // namespace TokenBroker::Test::OAuth2
