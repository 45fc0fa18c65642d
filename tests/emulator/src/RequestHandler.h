#pragma once

#include "Emulator.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace TokenBroker::Emulator {

/// Bridges POCO to the emulator: reads the request, records it, applies a
/// scripted fault if one matches, routes, and writes the answer with the
/// headers every Coze answer carries (JSON type, fresh `X-Tt-Logid`).
class RequestHandler : public Poco::Net::HTTPRequestHandler
{
public:
    explicit RequestHandler(Emulator& emulator);

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    Emulator& _emulator;
};

class RequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory
{
public:
    explicit RequestHandlerFactory(Emulator& emulator);

    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
    Emulator& _emulator;
};

} // namespace TokenBroker::Emulator
