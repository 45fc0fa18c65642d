#pragma once

#include "ChildProcess.h"
#include "TempDir.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace TokenBroker::Test {

/// An HTTP answer as a test sees it.
struct HttpResult
{
    int status = 0;
    std::string reason;  ///< the status line's reason phrase, where it is read
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    /// First header of that name, compared case-insensitively; "" if absent.
    std::string header(const std::string& name) const;
    bool hasHeader(const std::string& name) const;
    /// The body parsed as a JSON object; throws if it is not one.
    Poco::JSON::Object::Ptr json() const;
};

/// Reads the answer to a request sent on `session`.
HttpResult receiveResult(Poco::Net::HTTPClientSession& session);

/// Initialises client SSL once per process, rejecting (never prompting for)
/// any certificate OpenSSL rejects.
void initializeClientSsl();

/// A client context that verifies strictly (chain and host name) against
/// `caFile` alone.
Poco::Net::Context::Ptr strictClientContext(const std::string& caFile);

/// One request to 127.0.0.1:`port` on a fresh connection: HTTPS with
/// `context`, plain HTTP without. Throws on transport or TLS failure.
HttpResult requestLoopback(std::uint16_t port, const Poco::Net::Context::Ptr& context, const std::string& method,
                           const std::string& pathAndQuery,
                           const std::vector<std::pair<std::string, std::string>>& headers = {},
                           const std::string& body = "");

/// The first line a test server prints (its "listening on ..." line);
/// throws, quoting its stderr, if it exits or is silent for `timeout`.
std::string firstLine(ChildProcess& process, std::chrono::milliseconds timeout, const std::string& what);

/// A running `coze-emulator` (TOKENBROKER_EMULATOR_EXE) on a free port with
/// its own throwaway CA, plus an HTTPS client that verifies strictly against
/// that CA. The process is asked to stop (requestStop) when the object dies.
class EmulatorProcess
{
public:
    struct Options
    {
        std::string appsYaml;                       ///< apps file text, written as apps.yaml
        std::string appsFile;                       ///< or an existing file (then appsYaml is ignored)
        std::map<std::string, std::string> files;   ///< extra files next to apps.yaml (e.g. public keys)
        bool http = false;                          ///< --http
        std::vector<std::string> extraArgs;         ///< e.g. --cert/--key
    };

    explicit EmulatorProcess(Options options);
    /// Shorthand for an apps YAML text.
    explicit EmulatorProcess(const std::string& appsYaml);
    ~EmulatorProcess();
    EmulatorProcess(const EmulatorProcess&) = delete;
    EmulatorProcess& operator=(const EmulatorProcess&) = delete;

    /// "https://127.0.0.1:PORT" (http:// with Options::http).
    const std::string& baseUrl() const { return _baseUrl; }
    std::uint16_t port() const { return _port; }
    /// PEM of the emulator's generated CA (empty path with --cert/--key).
    std::string caFile() const { return _dir.file("ca.pem"); }
    /// Directory holding apps.yaml, the CA and the extra files.
    const TempDir& dir() const { return _dir; }
    ChildProcess& process() { return *_process; }

    /// One request on a fresh connection, TLS verified strictly (chain and
    /// host name) against caFile(). Throws on transport or TLS failure.
    HttpResult request(const std::string& method, const std::string& pathAndQuery,
                       const std::vector<std::pair<std::string, std::string>>& headers = {},
                       const std::string& body = "") const;
    /// POST with `Content-Type: application/json`.
    HttpResult postJson(const std::string& path, const std::string& body,
                        std::vector<std::pair<std::string, std::string>> headers = {}) const;

    /// Control hooks; each throws std::runtime_error unless the emulator agrees.
    void approveDevice(const std::string& userCode, bool deny = false) const;
    void addFaults(const std::string& rulesJson) const;
    Poco::JSON::Array::Ptr requests() const;
    void reset() const;
    void revoke(const std::string& refreshToken) const;
    void advanceClock(std::int64_t seconds) const;

    /// requestStop() and wait; returns the exit status.
    int stop();

private:
    void expectOk(const HttpResult& result, const std::string& what) const;

    TempDir _dir;
    std::unique_ptr<ChildProcess> _process;
    std::string _baseUrl;
    std::uint16_t _port = 0;
    Poco::Net::Context::Ptr _context;
};

} // namespace TokenBroker::Test
