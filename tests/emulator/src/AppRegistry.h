#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace TokenBroker::Emulator {

/// The four kinds of Coze OAuth apps; each allows exactly one family of flows.
enum class AppType
{
    Jwt,
    Web,
    Pkce,
    Device
};

std::string toString(AppType type);

/// One registered OAuth app.
struct App
{
    std::string clientId;
    AppType type = AppType::Web;
    std::map<std::string, std::string> publicKeys; ///< kid -> public key PEM text
    std::vector<std::string> clientSecrets;
    std::vector<std::string> redirectUris;

    bool hasSecret(const std::string& secret) const;
    bool hasRedirectUri(const std::string& uri) const;
};

/// Everything the `--apps` YAML file configures: registered apps, valid
/// personal access tokens and the lifetimes and limits of issued credentials.
class AppRegistry
{
public:
    /// Parses the YAML file; key paths are relative to the file's directory.
    /// Throws std::runtime_error with a readable message on any problem.
    static AppRegistry load(const std::string& path);

    const App* findApp(const std::string& clientId) const;
    /// The app that registered `kid`, or null.
    const App* findAppByKid(const std::string& kid) const;
    bool isPat(const std::string& token) const { return _pats.count(token) > 0; }

    std::int64_t accessTtl() const { return _accessTtl; }
    std::int64_t refreshTtl() const { return _refreshTtl; }
    std::int64_t codeTtl() const { return _codeTtl; }
    std::int64_t deviceCodeTtl() const { return _deviceCodeTtl; }
    std::int64_t deviceInterval() const { return _deviceInterval; }
    std::int64_t maxJwtLifetime() const { return _maxJwtLifetime; }
    /// Seconds a rotated refresh token stays usable (0 = strict rotation).
    std::int64_t refreshReuseGrace() const { return _refreshReuseGrace; }
    /// Configured `jwt_audiences`; empty when the defaults apply.
    const std::vector<std::string>& jwtAudiences() const { return _jwtAudiences; }
    const std::vector<App>& apps() const { return _apps; }

private:
    std::vector<App> _apps;
    std::set<std::string> _pats;
    std::int64_t _accessTtl = 900;
    std::int64_t _refreshTtl = 30 * 86400;
    std::int64_t _codeTtl = 600;
    std::int64_t _deviceCodeTtl = 300;
    std::int64_t _deviceInterval = 5;
    std::int64_t _maxJwtLifetime = 86400;
    std::int64_t _refreshReuseGrace = 0;
    std::vector<std::string> _jwtAudiences;
};

} // namespace TokenBroker::Emulator
