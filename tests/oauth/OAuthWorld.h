#pragma once

#include "ChildProcess.h"
#include "EmulatorProcess.h"
#include "TempDir.h"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace TokenBroker::Test::OAuth {

/// The apps the emulator registers, one per interactive flow.
inline const std::string kDeviceClient = "device-app";
inline const std::string kWebClient = "web-app";
inline const std::string kWebSecret = "s3cret";
inline const std::string kPkceClient = "pkce-app";
inline const std::string kTokenPath = "/api/permission/oauth2/token";

/// A port on 127.0.0.1 that was free a moment ago (bound to :0, then closed).
std::uint16_t freeLoopbackPort();

/// What the emulator is started with (apps YAML top-level keys).
struct EmulatorSettings
{
    std::int64_t accessTtl = 900;
    std::int64_t deviceCodeTtl = 300;
    std::int64_t refreshReuseGrace = 0;   ///< 0 = strict rotation, as Coze documents
};

/// One test's universe: a real coze-emulator over HTTPS with a device, a web
/// and a PKCE app, a broker configuration directory (state in `state/`,
/// outputs in `out/`) and the means to run the real `tokenbroker` on it.
class OAuthWorld
{
public:
    explicit OAuthWorld(EmulatorSettings settings = {});

    EmulatorProcess& emulator() { return *_emulator; }
    const EmulatorProcess& emulator() const { return *_emulator; }
    /// http://127.0.0.1:PORT/cb, registered for the web and PKCE apps.
    const std::string& redirectUri() const { return _redirectUri; }
    std::uint16_t redirectPort() const { return _redirectPort; }
    const std::string& configPath() const { return _configPath; }
    std::string stateDir() const { return _dir.file("state"); }
    std::string statePath(const std::string& profile) const { return stateDir() + "/" + profile + ".json"; }
    std::string outputPath(const std::string& profile) const { return _dir.file("out/" + profile + ".token"); }

    /// The YAML of one profile (under `profiles:`); `extra` holds more
    /// settings, one "key: value" per line, without indentation.
    std::string deviceProfile(const std::string& name, const std::string& extra = "");
    std::string webProfile(const std::string& name, const std::string& extra = "");
    std::string pkceProfile(const std::string& name, const std::string& extra = "");
    /// `adminListen`: "off", or HOST:PORT for the daemon's admin endpoint;
    /// `brokerExtra`: more `broker:` lines, indented 2 spaces.
    void writeConfig(const std::string& profiles, const std::string& adminListen = "off",
                     const std::string& brokerExtra = "") const;

    /// `tokenbroker ARGS -c CONFIG`, with no stray configuration from the
    /// environment.
    ChildProcess::Options brokerOptions(const std::vector<std::string>& args) const;
    RunResult broker(const std::vector<std::string>& args,
                     std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
    std::unique_ptr<ChildProcess> startBroker(const std::vector<std::string>& args) const;
    /// `tokenbroker login NAME --no-browser`, running.
    std::unique_ptr<ChildProcess> startLogin(const std::string& profile) const;

    /// The state file, parsed; throws if it is missing or not a JSON object.
    Poco::JSON::Object::Ptr state(const std::string& profile) const;
    /// state.plugin.refresh_token, "" when absent.
    std::string storedRefreshToken(const std::string& profile) const;
    /// The access token in the profile's raw file output.
    std::string publishedToken(const std::string& profile) const;
    /// GET /v1/users/me with that token: does the server accept it?
    bool serverAccepts(const std::string& accessToken) const;

    /// A complete `tokenbroker login`, the test acting as the user (approves
    /// the device code, or follows the authorize URL into the listener).
    /// Throws std::runtime_error with the broker's output unless it exits 0.
    void login(const std::string& profile);

private:
    std::string profile(const std::string& name, const std::string& flow, const std::string& settings);

    TempDir _dir;
    std::uint16_t _redirectPort;
    std::string _redirectUri;
    std::string _configPath;
    std::unique_ptr<EmulatorProcess> _emulator;
    std::map<std::string, std::string> _flowOf;   ///< profile -> flow, for login()
};

} // namespace TokenBroker::Test::OAuth
