#include "HttpClient.h"

#include "SessionPool.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <mutex>

namespace TokenBroker {

void initializeTls()
{
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Ptr fallback = new Poco::Net::Context(
            Poco::Net::Context::TLS_CLIENT_USE, "", Poco::Net::Context::VERIFY_STRICT, 9, true);
        Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject = new Poco::Net::RejectCertificateHandler(false);
        Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, fallback);
    });
}

HttpClient::HttpClient(std::string caFile, HttpTimeouts timeouts)
    : _caFile(std::move(caFile))
    , _timeouts(timeouts)
{
}

Poco::Net::Context::Ptr HttpClient::context() const
{
    try
    {
        return SessionPool::instance().context(_caFile);
    }
    catch (const Poco::Exception& e)
    {
        throw TransportError("cannot set up TLS with ca_file '" + _caFile + "': " + e.displayText());
    }
}

namespace {

std::string lower(std::string text)
{
    for (auto& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

} // namespace

HttpResponse HttpClient::send(const HttpRequest& request) const
{
    Poco::URI uri;
    try
    {
        uri = Poco::URI(request.url);
    }
    catch (const Poco::Exception& e)
    {
        throw std::invalid_argument("invalid URL: " + e.displayText());
    }
    if (uri.getScheme() != "https" && uri.getScheme() != "http")
        throw std::invalid_argument("unsupported URL scheme '" + uri.getScheme() + "'");
    const std::string poolKey = uri.getScheme() + "://" + uri.getHost() + ":" + std::to_string(uri.getPort()) + "|" + _caFile;
    std::unique_ptr<Poco::Net::HTTPClientSession> session = SessionPool::instance().take(poolKey);
    if (!session && uri.getScheme() == "https")
        session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context());
    else if (!session)
        session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    session->setKeepAlive(true);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(_timeouts.total);
    auto remaining = [&]() {
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            throw TransportError("request timed out after " + std::to_string(_timeouts.total) + "s");
        return Poco::Timespan(std::min<Poco::Int64>(left.count(), _timeouts.read * 1000000LL));
    };
    try
    {
        session->setTimeout(Poco::Timespan(std::min(_timeouts.connect, _timeouts.total), 0), remaining(), remaining());
        std::string target = uri.getPathAndQuery();
        if (target.empty())
            target = "/";
        Poco::Net::HTTPRequest httpRequest(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : request.headers)
            httpRequest.set(name, value);
        if (!request.body.empty() || request.method == "POST" || request.method == "PUT")
            httpRequest.setContentLength(static_cast<std::streamsize>(request.body.size()));
        std::ostream& out = session->sendRequest(httpRequest);
        out << request.body;
        out.flush();

        Poco::Net::HTTPResponse httpResponse;
        session->socket().setReceiveTimeout(remaining());
        std::istream& in = session->receiveResponse(httpResponse);
        HttpResponse response;
        response.status = static_cast<int>(httpResponse.getStatus());
        for (const auto& [name, value] : httpResponse)
            response.headers[lower(name)] = value;
        char buffer[8192];
        while (in)
        {
            session->socket().setReceiveTimeout(remaining());
            in.read(buffer, sizeof buffer);
            response.body.append(buffer, static_cast<std::size_t>(in.gcount()));
            if (response.body.size() > maxBodySize)
                throw TransportError("answer is larger than " + std::to_string(maxBodySize) + " bytes");
        }
        if (httpResponse.getKeepAlive())
            SessionPool::instance().give(poolKey, std::move(session));
        return response;
    }
    catch (const TransportError&)
    {
        throw;
    }
    catch (const Poco::Exception& e)
    {
        throw TransportError(uri.getHost() + ":" + std::to_string(uri.getPort()) + ": " + e.displayText());
    }
}

} // namespace TokenBroker
