#include "RequestHandler.h"

#include "Random.h"
#include "Router.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <chrono>
#include <sstream>
#include <thread>

namespace TokenBroker::Emulator {

namespace {

HttpRequest readRequest(Poco::Net::HTTPServerRequest& request)
{
    HttpRequest result;
    result.method = request.getMethod();
    Poco::URI uri(request.getURI());
    result.path = uri.getPath();
    result.rawQuery = uri.getRawQuery();
    for (const auto& parameter : uri.getQueryParameters())
        result.query.push_back(parameter);
    for (const auto& [name, value] : request)
        result.headers.add(name, value);
    Poco::StreamCopier::copyToString(request.stream(), result.body);
    return result;
}

/// Coze log ids look like `20240101120000` + hex; uniqueness is what matters.
std::string newLogId()
{
    return Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y%m%d%H%M%S") + Random::hex(12);
}

HttpResponse faultAnswer(const FaultRule& rule)
{
    HttpResponse response;
    response.status = rule.status.value_or(200);
    response.body = rule.body.value_or("");
    return response;
}

/// The real answer with `patch` (a JSON object) merged into its JSON body;
/// a null member of the patch removes the member. A body that is no JSON
/// object is left alone.
HttpResponse patchedAnswer(HttpResponse response, const std::string& patch)
{
    Poco::JSON::Object::Ptr body;
    try
    {
        Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(response.body);
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr))
            body = parsed.extract<Poco::JSON::Object::Ptr>();
    }
    catch (const Poco::Exception&)
    {
    }
    if (!body)
        return response;
    auto changes = Poco::JSON::Parser().parse(patch).extract<Poco::JSON::Object::Ptr>();
    for (const auto& [name, value] : *changes)
    {
        if (value.isEmpty())
            body->remove(name);
        else
            body->set(name, value);
    }
    std::ostringstream text;
    body->stringify(text);
    response.body = text.str();
    return response;
}

void setHeaders(Poco::Net::HTTPServerResponse& out, const HttpResponse& response,
                const std::vector<std::pair<std::string, std::string>>& extraHeaders)
{
    out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    out.setContentType(response.contentType);
    out.set("X-Tt-Logid", newLogId());
    for (const auto& [name, value] : response.headers)
        out.set(name, value);
    for (const auto& [name, value] : extraHeaders)
        out.set(name, value);
}

void writeResponse(Poco::Net::HTTPServerResponse& out, const HttpResponse& response,
                   const std::vector<std::pair<std::string, std::string>>& extraHeaders)
{
    setHeaders(out, response, extraHeaders);
    out.sendBuffer(response.body.data(), response.body.size());
}

/// The headers at once, then the body one byte per `intervalMs`: a server
/// that is alive but slow, whose every byte restarts a client's per-read
/// time-out. Stops when the client has gone (a write fails).
void trickleResponse(Poco::Net::HTTPServerResponse& out, const HttpResponse& response,
                     const std::vector<std::pair<std::string, std::string>>& extraHeaders, int intervalMs)
{
    setHeaders(out, response, extraHeaders);
    out.setContentLength(static_cast<std::streamsize>(response.body.size()));
    std::ostream& body = out.send();
    if (!body.flush())
        return;
    for (const char byte : response.body)
    {
        // The pace of the answer, not a wait for anything.
        std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
        if (!body.put(byte).flush())
            return;
    }
}

/// A server that took the request and never answers. Returns once the
/// client has closed its end (or the server, stopping, shut the connection
/// down), so no handler thread stays behind a client that gave up.
void holdUntilClientLeaves(Poco::Net::HTTPServerRequest& request)
{
    Poco::Net::StreamSocket& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket();
    char byte = 0;
    while (true)
    {
        try
        {
            // poll, not a plain receive: the socket's receive time-out
            // would end the hang early.
            if (socket.poll(Poco::Timespan(1, 0), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR) &&
                socket.receiveBytes(&byte, 1) <= 0)
                return;
        }
        catch (const Poco::Exception&)
        {
            return;
        }
    }
}

} // namespace

RequestHandler::RequestHandler(Emulator& emulator)
    : _emulator(emulator)
{
}

void RequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
    HttpRequest exchange = readRequest(request);
    if (Router::isControlPath(exchange.path))
    {
        writeResponse(response, Router::dispatch(_emulator, exchange), {});
        return;
    }

    _emulator.log.record(exchange);
    std::optional<FaultRule> fault = _emulator.faults.take(exchange.method, exchange.path);
    if (!fault)
    {
        writeResponse(response, Router::dispatch(_emulator, exchange), {});
        return;
    }
    if (fault->delayMs > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(fault->delayMs));
    if (fault->hang)
    {
        holdUntilClientLeaves(request);
        response.setKeepAlive(false);
        return;
    }
    if (fault->trickleMs > 0)
    {
        trickleResponse(response,
                        fault->replacesAnswer() ? faultAnswer(*fault) : Router::dispatch(_emulator, exchange),
                        fault->headers, fault->trickleMs);
        return;
    }
    if (fault->drop)
    {
        // Returning without an answer and without keep-alive makes POCO close
        // the connection: the client sees EOF instead of a response.
        response.setKeepAlive(false);
        return;
    }
    HttpResponse answer = fault->replacesAnswer() ? faultAnswer(*fault) : Router::dispatch(_emulator, exchange);
    if (fault->patchBody)
        answer = patchedAnswer(std::move(answer), *fault->patchBody);
    writeResponse(response, answer, fault->headers);
}

RequestHandlerFactory::RequestHandlerFactory(Emulator& emulator)
    : _emulator(emulator)
{
}

Poco::Net::HTTPRequestHandler* RequestHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&)
{
    return new RequestHandler(_emulator);
}

} // namespace TokenBroker::Emulator
