#pragma once

#include "AppRegistry.h"
#include "Emulator.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <memory>
#include <string>

namespace TokenBroker::Emulator {

/// The listening emulator: socket (TLS unless `http`), state and POCO server.
class EmulatorServer
{
public:
    struct Options
    {
        std::string host = "127.0.0.1";
        unsigned short port = 0;      ///< 0 = any free port
        std::string appsFile;
        bool http = false;
        std::string certFile;         ///< with keyFile: use this identity
        std::string keyFile;
        std::string caOut;            ///< generated CA goes here (PEM)
    };

    /// Loads the apps, binds (reuseAddress, never reusePort, so two test
    /// emulators cannot share a port) and starts serving. Throws on any
    /// configuration or bind error.
    explicit EmulatorServer(const Options& options);
    ~EmulatorServer();

    /// `https://HOST:PORT` (or http://) with the actual port.
    std::string baseUrl() const { return _baseUrl; }

    void stop();

private:
    AppRegistry _apps;
    std::string _baseUrl;
    std::unique_ptr<Emulator> _emulator;
    /// Its own pool, larger than POCO's default one of 16: a connection the
    /// client keeps alive holds a thread until the keep-alive time-out, so
    /// with 16 threads the 17th concurrent client's handshake waits for
    /// that long (longer than its connect_timeout).
    Poco::ThreadPool _threads;
    std::unique_ptr<Poco::Net::HTTPServer> _server;
};

} // namespace TokenBroker::Emulator
