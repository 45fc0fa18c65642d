#pragma once

#include "HttpTimeouts.h"

#include <Poco/Net/Context.h>

#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>

namespace TokenBroker {

struct HttpRequest
{
    std::string method = "GET";
    std::string url;                              ///< absolute http(s) URL
    std::map<std::string, std::string> headers;
    std::string body;
};

struct HttpResponse
{
    int status = 0;
    std::map<std::string, std::string> headers;   ///< names in lower case
    std::string body;
};

/// The request never got an HTTP answer: DNS, connect, TLS, timeout, reset.
class TransportError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// HTTP(S) for one profile: TLS verifies chain and host name against
/// ca_file (or the system store), invalid certificates fail, and the
/// timeouts apply: `connect` to connecting and the TLS handshake of a new
/// connection, `read` to each wait for data, and `total` to the whole
/// request however slowly the server answers (see DeadlineWatchdog).
/// Answers larger than 1 MiB are refused.
class HttpClient
{
public:
    HttpClient(std::string caFile, HttpTimeouts timeouts);

    /// Throws TransportError; any HTTP status is returned as a response.
    /// A request that reaches its `total` time fails with "request timed
    /// out after Ns (PHASE HOST:PORT)", PHASE naming what it was doing.
    /// Only the host name lookup is not bounded by `total`: the system
    /// resolver cannot be interrupted.
    HttpResponse send(const HttpRequest& request) const;

    /// Ends every request in flight, of every client in the process, with a
    /// TransportError saying it was cancelled; their connections are closed,
    /// never reused. A request still connecting fails once connected (within
    /// its connect timeout). Requests sent afterwards work as usual. For the
    /// daemon's stop once its grace period is over, so that no thread stays
    /// blocked on a server that does not answer. Returns how many requests
    /// were cancelled. Thread-safe.
    static std::size_t cancelAll();

    static constexpr std::size_t maxBodySize = 1 << 20;

private:
    Poco::Net::Context::Ptr context() const;

    std::string _caFile;
    HttpTimeouts _timeouts;
};

/// Initialises OpenSSL once and makes any unverifiable certificate fail
/// instead of prompting on the console (POCO's default handler).
void initializeTls();

} // namespace TokenBroker
