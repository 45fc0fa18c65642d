#pragma once

#include "HttpTimeouts.h"

#include <Poco/Net/Context.h>

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
/// connect/read/total timeouts apply. Answers larger than 1 MiB are refused.
class HttpClient
{
public:
    HttpClient(std::string caFile, HttpTimeouts timeouts);

    /// Throws TransportError; any HTTP status is returned as a response.
    HttpResponse send(const HttpRequest& request) const;

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
