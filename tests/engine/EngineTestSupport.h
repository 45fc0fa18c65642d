#pragma once

// Shared fixtures for the refresh-engine suites (issue 6): an emulator with
// one JWT service app, a broker configuration written the way an operator
// would, the daemon as a real process with its admin endpoint, and the
// things an operator looks at — files (content, mtime, inode), log lines,
// exit codes and the emulator's request log.

#include "ChildProcess.h"
#include "TextMatch.h"
#include "EmulatorProcess.h"
#include "TempDir.h"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace TokenBroker::Test::Engine {

using namespace std::chrono_literals;

/// How long a test waits for a daemon it started to announce itself. Wine
/// on a loaded CI machine has been seen to take 10 s for it; only a bound.
constexpr std::chrono::seconds kDaemonStartBound{45};

constexpr const char* kClientId = "1180";
constexpr const char* kKeyId = "kid-app";
constexpr const char* kTokenPath = "/api/permission/oauth2/token";

/// The token endpoint of a jwt profile with `account_id: ID`: a path only
/// that profile uses, so a fault can target it alone.
std::string accountTokenPath(const std::string& accountId);

/// An RSA key pair made once per test process with the openssl CLI.
struct Keys
{
    Keys();
    TempDir dir;
    std::string privateKey;
    std::string publicKey;
    static const Keys& get();
};

/// An emulator with the JWT app kClientId/kKeyId; `extraYaml` is appended
/// to its apps file.
std::unique_ptr<EmulatorProcess> startEmulator(const std::string& extraYaml = "");

/// A configuration directory. Profiles are YAML snippets (see jwtProfile()
/// and patProfile()); outputs go to out/NAME.token and out/NAME.json.
struct BrokerConfig
{
    TempDir dir;
    std::string path = dir.file("tokenbroker.yaml");

    /// `broker:` lines (2-space indent) besides state_dir and the admin
    /// endpoint on a free loopback port; `tail` is appended after profiles
    /// (e.g. a `logging:` section).
    void write(const std::vector<std::string>& profiles, const std::string& brokerExtra = "",
               const std::string& tail = "") const;

    /// A jwt profile against `emulator`; `extra` lines are indented 4 spaces.
    std::string jwtProfile(const std::string& name, const EmulatorProcess& emulator,
                           const std::string& extra = "") const;
    /// A pat profile with a literal token (no network unless `verify: true`).
    std::string patProfile(const std::string& name, const std::string& token, const std::string& extra = "") const;

    std::string tokenFile(const std::string& name) const { return dir.file("out/" + name + ".token"); }
    std::string jsonFile(const std::string& name) const { return dir.file("out/" + name + ".json"); }
    std::string outDir() const { return dir.file("out"); }
    std::string stateDir() const { return dir.file("state"); }
};

/// What an operator sees of a file: whether it is there, its content, its
/// modification time (ns) and inode — an atomic rewrite changes the inode
/// even when the content is the same.
struct FileState
{
    bool exists = false;
    std::string content;
    std::int64_t mtimeNs = 0;
    std::uint64_t inode = 0;

    bool operator==(const FileState& other) const
    {
        return exists == other.exists && content == other.content && mtimeNs == other.mtimeNs && inode == other.inode;
    }
    bool operator!=(const FileState& other) const { return !(*this == other); }
};
FileState fileState(const std::string& path);
/// Every entry of a directory, hidden ones included, sorted.
std::vector<std::string> listDirectory(const std::string& path);

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

/// Lines of `text` that contain `part`.
std::vector<std::string> linesWith(const std::string& text, const std::string& part);
std::size_t countOf(const std::string& text, const std::string& part);

/// The daemon: `tokenbroker run -c CONFIG` with its log on stderr, and the
/// admin endpoint it announces in state_dir/admin.url.
class DaemonProcess
{
public:
    /// Where its standard error is, as the daemon sees it.
    enum class Stderr { Plain, Journal };

    explicit DaemonProcess(const BrokerConfig& config, std::map<std::string, std::string> env = {},
                           Stderr stderrKind = Stderr::Plain);

    ChildProcess& process() { return *_process; }
    std::string log() const { return _process->err(); }
    /// Waits until the log has at least `times` occurrences of `text`.
    bool waitForLog(const std::string& text, std::chrono::milliseconds timeout, std::size_t times = 1);

    /// The admin endpoint's base URL, waiting up to 10 s for the daemon to
    /// announce it; throws if it does not.
    std::string adminUrl();
    /// One request to the admin endpoint.
    HttpResult admin(const std::string& method, const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
    /// POST with the admin token the daemon wrote to state_dir.
    HttpResult adminPost(const std::string& path);

    /// SIGTERM; the exit status, or nothing when it did not exit in time.
    std::optional<int> terminate(std::chrono::milliseconds timeout = 5s);

private:
    const BrokerConfig& _config;
    std::unique_ptr<ChildProcess> _process;
    std::string _adminUrl;
};

/// The daemon's GET /v1/profiles entry for `name` (null if it has none),
/// and the names it lists.
Poco::JSON::Object::Ptr profileView(DaemonProcess& daemon, const std::string& name);
std::string profileStatus(DaemonProcess& daemon, const std::string& name);
std::vector<std::string> profileNames(DaemonProcess& daemon);

/// The Authorization header with the admin token of the daemon running on
/// `config` (state_dir/admin.token).
std::pair<std::string, std::string> adminAuthorization(const BrokerConfig& config);

/// One plain-HTTP request (the admin endpoint), e.g. to "http://127.0.0.1:PORT";
/// a "Host" among `headers` replaces the one naming the URL.
HttpResult httpRequest(const std::string& baseUrl, const std::string& method, const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& headers = {});

/// An `on_rotate:` line (4-space indent) that runs tokenbroker-test-helper
/// (`helperExe`) as `hook ACTION...` (see TestHelper.cpp).
std::string helperHookLine(const std::string& helperExe, const std::vector<std::string>& actions);

/// `tokenbroker ARGS` to completion, without the caller's TOKENBROKER_* or
/// COZE_* variables.
RunResult broker(const std::vector<std::string>& args);

/// Arrival times (Unix ms) of the recorded requests to `path`, oldest first.
std::vector<std::int64_t> requestTimes(const EmulatorProcess& emulator, const std::string& path);

/// A fault rule as the emulator's control endpoint takes it.
struct Fault
{
    std::string path = kTokenPath;
    int status = 0;                 ///< 0 = not set
    std::optional<std::string> body;
    std::map<std::string, std::string> headers;
    int delayMs = 0;
    bool drop = false;
    int count = 1;
};
void addFault(const EmulatorProcess& emulator, const Fault& fault);

/// A `failed: ...; attempt N, next try T (in D)` log line taken apart.
struct RetryLine
{
    int attempt = 0;
    std::int64_t delaySeconds = 0;
    std::string line;
};
/// Every retry line of profile `name` in `log`, oldest first.
std::vector<RetryLine> retryLines(const std::string& log, const std::string& name);

/// Quick renewals and backoff, so faults play out in seconds.
constexpr const char* kFastRefresh = "  refresh: { at: 0.5, min_backoff: 1s, max_backoff: 4s }\n";

/// The common case: one emulator, one jwt profile `svc`, a daemon that has
/// published its first token (the constructor waits for it).
struct JwtDaemon
{
    explicit JwtDaemon(const std::string& profileExtra = "", const std::string& brokerExtra = kFastRefresh,
                       std::map<std::string, std::string> env = {});

    std::unique_ptr<EmulatorProcess> emulator;
    BrokerConfig config;
    std::unique_ptr<DaemonProcess> daemon;

    std::string tokenFile() const { return config.tokenFile("svc"); }
    std::string jsonFile() const { return config.jsonFile("svc"); }
    /// Waits until `svc` has logged `count` successful renewals in all.
    bool waitForRenewals(std::size_t count, std::chrono::milliseconds timeout = 15s);
    std::size_t renewals() const;
};

} // namespace TokenBroker::Test::Engine
