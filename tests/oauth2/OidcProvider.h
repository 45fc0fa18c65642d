#pragma once

// panva's oidc-provider (tests/oauth2/provider, pinned by its lock file) as
// a child process on a free loopback port, serving HTTPS with a throwaway
// CA made for the test: an authorization server nobody on this project
// wrote, for the `oauth2` plugin to be proven against.

#include "ChildProcess.h"
#include "EmulatorProcess.h"
#include "TempDir.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/Context.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace TokenBroker::Test::OAuth2 {

class OidcProvider
{
public:
    struct Options
    {
        Poco::JSON::Array::Ptr clients = new Poco::JSON::Array;  ///< oidc-provider client metadata
        std::string discovery = "openid";   ///< openid | oauth | both | none
        Poco::JSON::Object::Ptr jwtBearerIssuers;  ///< iss -> public JWK, for the jwt-bearer grant
        Poco::JSON::Object::Ptr ttl;        ///< {"ClientCredentials": 300, ...}
        Poco::JSON::Object::Ptr resources;  ///< resource indicator -> {"scope": "..."}
        std::vector<std::string> introspectors;  ///< client ids that may introspect any token
        int deviceInterval = 0;             ///< seconds between device polls the server asks for (0: none)
    };

    explicit OidcProvider(Options options);
    ~OidcProvider();
    OidcProvider(const OidcProvider&) = delete;
    OidcProvider& operator=(const OidcProvider&) = delete;

    /// "https://127.0.0.1:PORT", as the server names itself.
    const std::string& issuer() const { return _issuer; }
    std::string tokenEndpoint() const { return _issuer + "/token"; }
    std::string caFile() const { return _dir.file("ca.pem"); }
    ChildProcess& process() { return *_process; }

    /// One request over HTTPS verified against caFile().
    HttpResult request(const std::string& method, const std::string& pathAndQuery,
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       const std::string& body = "") const;

    /// The requests that reached the token, device and discovery endpoints
    /// (oldest first), those to paths ending in `pathSuffix` when given.
    std::vector<Poco::JSON::Object::Ptr> requests(const std::string& pathSuffix = "") const;
    void clearRequests() const;

    /// The next `count` requests to `path` get this answer instead.
    void fail(const std::string& path, int count, int status, const std::string& body,
              const std::string& contentType = "application/json",
              const std::vector<std::pair<std::string, std::string>>& headers = {}) const;

    /// What a person does in the browser: the server opens `authorizationUrl`,
    /// logs `account` in and consents (or refuses), and returns where the
    /// browser is sent next (redirect_uri?code=...&state=...&iss=...).
    std::string authorize(const std::string& authorizationUrl, bool approve = true,
                          const std::string& account = "alice") const;

    /// What a person does on the device verification page: enters
    /// `userCode`, logs in as `account` and approves (or denies).
    void decideDevice(const std::string& userCode, bool approve = true, const std::string& account = "alice") const;

    /// RFC 7662 introspection of `token` by a client authenticating with
    /// client_secret_post; the answer's JSON object.
    Poco::JSON::Object::Ptr introspect(const std::string& token, const std::string& clientId,
                                       const std::string& clientSecret) const;

private:
    TempDir _dir;
    std::unique_ptr<ChildProcess> _process;
    std::string _issuer;
    std::uint16_t _port = 0;
    Poco::Net::Context::Ptr _context;
};

/// The public half of the PEM RSA key in `publicPemPath` as a JWK
/// (kty, n, e, alg RS256, use sig, and kid when given).
Poco::JSON::Object::Ptr rsaPublicJwk(const std::string& publicPemPath, const std::string& keyId = "");

/// The public half of the P-256 private key in `privatePemPath` as a JWK
/// (kty EC, crv P-256, x, y, alg ES256, use sig, and kid when given).
Poco::JSON::Object::Ptr ecPublicJwk(const std::string& privatePemPath, const std::string& keyId = "");

/// A client's metadata for oidc-provider.
Poco::JSON::Object::Ptr clientMetadata(const std::string& clientId, const std::string& authMethod,
                                       const std::vector<std::string>& grantTypes,
                                       const std::string& clientSecret = "");

} // namespace TokenBroker::Test::OAuth2
