#pragma once

// Fixtures for the jwt flow tests: RSA/EC keys made with the openssl CLI, an
// emulator with two service apps, a broker config writer, and a JWT decoder
// for what the broker sent.

#include "ChildProcess.h"
#include "TextMatch.h"
#include "EmulatorProcess.h"
#include "TempDir.h"

#include <Poco/JSON/Object.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace TokenBroker::Test::Jwt {

constexpr const char* kAppId = "1180";        ///< owns kid-app
constexpr const char* kAppKid = "kid-app";
constexpr const char* kOtherAppId = "2290";   ///< owns kid-other
constexpr const char* kOtherKid = "kid-other";
constexpr const char* kTokenPath = "/api/permission/oauth2/token";

/// Key files made once per test run with the openssl CLI.
struct Keys
{
    Keys();

    TempDir dir;
    std::string appPkcs8;      ///< BEGIN PRIVATE KEY (what `openssl genrsa` writes in OpenSSL 3)
    std::string appPkcs1;      ///< the same key, BEGIN RSA PRIVATE KEY
    std::string appPublic;
    std::string otherPublic;   ///< registered under kid-other
    std::string strangerPkcs8; ///< registered nowhere
    std::string ecKey;         ///< BEGIN EC PRIVATE KEY

    static const Keys& get();
};

/// Runs `openssl ARGS...`; throws with its stderr on failure.
RunResult openssl(const std::vector<std::string>& args, bool mustSucceed = true);

/// The second line of a PEM file: base64 key bytes no output may contain.
std::string distinctiveLine(const std::string& pemPath);

/// An emulator with the apps 1180 (kid-app) and 2290 (kid-other);
/// `extraYaml` is appended to its apps file.
std::unique_ptr<EmulatorProcess> startEmulator(const std::string& extraYaml = "");

/// A broker config in a temp dir with one jwt profile, `svc`, pointed at an
/// emulator over HTTPS with its CA. Settings left empty are not written.
struct BrokerSetup
{
    struct Profile
    {
        std::string clientId = std::string("\"") + kAppId + "\"";
        std::string publicKeyId = kAppKid;
        std::string privateKey;   ///< YAML value; default { file: app PKCS#8 }
        std::string extra;        ///< more lines, each indented by 4 spaces
    };

    explicit BrokerSetup(const EmulatorProcess& emulator);

    TempDir dir;
    std::string config = dir.file("tokenbroker.yaml");
    std::string baseUrl;
    std::string caFile;

    /// Writes the config; `brokerExtra` lines go under `broker:` (2 spaces).
    void write(const Profile& profile, const std::string& brokerExtra = "") const;
    /// 1-based line of the first config line that starts with `prefix` after indentation.
    int lineOf(const std::string& prefix) const;

    std::string tokenFile() const { return dir.file("out/svc.token"); }
    std::string jsonFile() const { return dir.file("out/svc.json"); }
};

/// Runs the tokenbroker executable with no inherited COZE_JWT_* or
/// TOKENBROKER_CONFIG variables.
RunResult broker(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});
ChildProcess::Options brokerOptions(const std::vector<std::string>& args,
                                    const std::map<std::string, std::string>& env = {});

/// A compact JWS taken apart.
struct DecodedJwt
{
    std::string signingInput;   ///< header.payload as sent
    std::string signature;      ///< raw bytes
    std::string payloadText;    ///< decoded JSON text
    Poco::JSON::Object::Ptr header;
    Poco::JSON::Object::Ptr payload;
};

std::string base64UrlDecode(const std::string& text);
DecodedJwt decodeJwt(const std::string& compact);

/// The emulator's log of requests to token endpoints (any path ending in
/// /token), oldest first.
std::vector<Poco::JSON::Object::Ptr> tokenRequests(const EmulatorProcess& emulator);
/// A logged request's header, name compared case-insensitively.
std::string headerOf(const Poco::JSON::Object::Ptr& request, const std::string& name);
/// The JWT of a logged request's `Authorization: Bearer`.
std::string bearerOf(const Poco::JSON::Object::Ptr& request);

} // namespace TokenBroker::Test::Jwt
