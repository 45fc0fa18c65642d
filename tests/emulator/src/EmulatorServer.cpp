#include "EmulatorServer.h"

#include "RequestHandler.h"
#include "ThrowawayPki.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <fstream>
#include <stdexcept>

namespace TokenBroker::Emulator {

namespace {

/// Concurrent connections served; more wait in the listen queue.
constexpr int maxConnections = 64;

Poco::Net::Context::Ptr serverContext(const EmulatorServer::Options& options)
{
    Poco::Net::Context::Params params;
    params.verificationMode = Poco::Net::Context::VERIFY_NONE;
    params.loadDefaultCAs = false;
    params.privateKeyFile = options.keyFile;
    params.certificateFile = options.certFile;
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    if (options.certFile.empty())
    {
        ThrowawayPki pki = ThrowawayPki::create();
        pki.install(context->sslContext());
        if (!options.caOut.empty())
        {
            std::ofstream out(options.caOut, std::ios::binary | std::ios::trunc);
            out << pki.caCertificatePem();
            if (!out.flush())
                throw std::runtime_error("cannot write CA certificate to " + options.caOut);
        }
    }
    return context;
}

/// Audiences SDKs send for this base URL (spec §3.6: Node uses the caller's
/// value, Python/Go host:port, Java the bare host), plus the real API host.
std::set<std::string> defaultAudiences(unsigned short port)
{
    const std::string p = std::to_string(port);
    return {"api.coze.cn", "127.0.0.1:" + p, "127.0.0.1", "localhost:" + p, "localhost"};
}

} // namespace

EmulatorServer::EmulatorServer(const Options& options)
    : _apps(AppRegistry::load(options.appsFile))
    , _threads(2, maxConnections)
{
    if (options.certFile.empty() != options.keyFile.empty())
        throw std::invalid_argument("--cert and --key go together");
    Poco::Net::SocketAddress address(options.host, options.port);
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    if (options.http)
        socket = std::make_unique<Poco::Net::ServerSocket>();
    else
        socket = std::make_unique<Poco::Net::SecureServerSocket>(serverContext(options));
    socket->bind(address, true, false);
    socket->listen(64);
    const unsigned short port = socket->address().port();
    _baseUrl = std::string(options.http ? "http" : "https") + "://" + options.host + ":" + std::to_string(port);

    auto audiences = _apps.jwtAudiences().empty()
                         ? defaultAudiences(port)
                         : std::set<std::string>(_apps.jwtAudiences().begin(), _apps.jwtAudiences().end());
    _emulator = std::make_unique<Emulator>(_apps, std::move(audiences), _baseUrl);

    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(maxConnections);
    params->setMaxQueued(128);
    params->setKeepAlive(true);
    _server =
        std::make_unique<Poco::Net::HTTPServer>(new RequestHandlerFactory(*_emulator), _threads, *socket, params);
    _server->start();
}

EmulatorServer::~EmulatorServer()
{
    stop();
}

void EmulatorServer::stop()
{
    if (_server)
        _server->stopAll(true);
}

} // namespace TokenBroker::Emulator
