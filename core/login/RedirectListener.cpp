#include "RedirectListener.h"

#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace TokenBroker {

namespace {

/// What the handler threads share with wait().
struct Mailbox
{
    std::mutex mutex;
    std::condition_variable arrived;
    std::string path;
    std::string expectedState;
    std::optional<std::map<std::string, std::string>> query;
};

void page(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status, const std::string& text)
{
    response.setStatus(status);
    response.setContentType("text/html; charset=utf-8");
    response.set("Cache-Control", "no-store");
    response.send() << "<!doctype html><html><head><meta charset=\"utf-8\"><title>tokenbroker</title></head>"
                       "<body style=\"font-family:sans-serif;margin:3em\"><h1>tokenbroker</h1><p>"
                    << text << "</p></body></html>\n";
}

class CallbackHandler : public Poco::Net::HTTPRequestHandler
{
public:
    explicit CallbackHandler(Mailbox& mailbox)
        : _mailbox(mailbox)
    {
    }

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
    {
        Poco::URI uri(request.getURI());
        std::unique_lock<std::mutex> lock(_mailbox.mutex);
        if (request.getMethod() != "GET" || uri.getPath() != _mailbox.path)
        {
            page(response, Poco::Net::HTTPResponse::HTTP_NOT_FOUND, "Nothing here.");
            return;
        }
        std::map<std::string, std::string> query;
        for (const auto& [name, value] : uri.getQueryParameters())
            query[name] = value;
        if (query["state"] != _mailbox.expectedState || _mailbox.query)
        {
            // A callback that this login did not start (or a replay) must
            // not complete it: possible cross-site request forgery.
            page(response, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST,
                 "This authorisation response does not belong to the login in progress and was refused.");
            return;
        }
        _mailbox.query = query;
        _mailbox.arrived.notify_all();
        lock.unlock();
        if (query.count("error"))
            page(response, Poco::Net::HTTPResponse::HTTP_OK,
                 "The authorisation was refused. You can close this window.");
        else
            page(response, Poco::Net::HTTPResponse::HTTP_OK,
                 "Authorisation received. You can close this window and return to the terminal.");
    }

private:
    Mailbox& _mailbox;
};

class CallbackFactory : public Poco::Net::HTTPRequestHandlerFactory
{
public:
    explicit CallbackFactory(Mailbox& mailbox)
        : _mailbox(mailbox)
    {
    }

    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
    {
        return new CallbackHandler(_mailbox);
    }

private:
    Mailbox& _mailbox;
};

} // namespace

struct RedirectListener::Impl
{
    Mailbox mailbox;
    std::unique_ptr<Poco::Net::HTTPServer> server;
};

RedirectListener::RedirectListener(const std::string& redirectUri, const std::string& expectedState)
    : _impl(std::make_unique<Impl>())
{
    _impl->mailbox.expectedState = expectedState;
    Poco::URI uri;
    try
    {
        uri = Poco::URI(redirectUri);
    }
    catch (const Poco::Exception& e)
    {
        throw LoginError("redirect_uri is not a URL: " + e.displayText());
    }
    const std::string host = uri.getHost();
    const bool loopback = host == "127.0.0.1" || host == "localhost" || host == "::1";
    if (uri.getScheme() != "http" || !loopback || uri.getPort() == 0)
    {
        throw LoginError("redirect_uri " + redirectUri +
                         " cannot be received here: use http://127.0.0.1:PORT/path (or localhost) and register it "
                         "for the app");
    }
    _impl->mailbox.path = uri.getPath().empty() ? "/" : uri.getPath();
    try
    {
        Poco::Net::ServerSocket socket;
        socket.bind(Poco::Net::SocketAddress(host == "localhost" ? "127.0.0.1" : host, uri.getPort()), true, false);
        socket.listen(16);
        auto params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(2);
        params->setKeepAlive(false);
        _impl->server = std::make_unique<Poco::Net::HTTPServer>(new CallbackFactory(_impl->mailbox), socket, params);
        _impl->server->start();
    }
    catch (const Poco::Exception& e)
    {
        throw LoginError("cannot listen on " + host + ":" + std::to_string(uri.getPort()) + " for the redirect (" +
                         e.displayText() + "); is another program using the port?");
    }
}

RedirectListener::~RedirectListener()
{
    if (_impl->server)
        _impl->server->stopAll(true);
}

std::map<std::string, std::string> RedirectListener::wait(std::int64_t timeoutSeconds)
{
    std::unique_lock<std::mutex> lock(_impl->mailbox.mutex);
    if (!_impl->mailbox.arrived.wait_for(lock, std::chrono::seconds(timeoutSeconds),
                                         [this] { return _impl->mailbox.query.has_value(); }))
        throw LoginError("no authorisation arrived within " + std::to_string(timeoutSeconds) + " s");
    return *_impl->mailbox.query;
}

} // namespace TokenBroker
