// coze-emulator: a local Coze OAuth server for tests and demos.
//
//   coze-emulator --listen=127.0.0.1:0 --apps=apps.yaml [--cert=PEM --key=PEM]
//                 [--ca-out=FILE] [--http]
//
// The first line on stdout is `listening on https://HOST:PORT`.

#include "EmulatorServer.h"

#include <Poco/Net/Net.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include <iostream>

namespace TokenBroker::Emulator {

class EmulatorApp : public Poco::Util::ServerApplication
{
public:
    // --name=value on Windows too (POCO's default there is /name).
    EmulatorApp() { setUnixOptions(true); }

protected:
    void defineOptions(Poco::Util::OptionSet& options) override
    {
        ServerApplication::defineOptions(options);
        auto option = [&](const char* name, const char* description, bool takesArgument) {
            Poco::Util::Option definition(name, "", description);
            definition.required(false).repeatable(false).callback(
                Poco::Util::OptionCallback<EmulatorApp>(this, &EmulatorApp::handleOption));
            if (takesArgument)
                definition.argument("VALUE");
            options.addOption(definition);
        };
        option("listen", "HOST:PORT to listen on (PORT 0 = any free port); default 127.0.0.1:0", true);
        option("apps", "YAML file with the registered apps, PATs and lifetimes (required)", true);
        option("cert", "server certificate PEM (default: generate a throwaway CA and certificate)", true);
        option("key", "server private key PEM, with --cert", true);
        option("ca-out", "write the generated CA certificate (PEM) to this file", true);
        option("http", "serve plain HTTP instead of HTTPS", false);
        option("help", "show this help", false);
    }

    void handleOption(const std::string& name, const std::string& value) override
    {
        if (name == "listen")
        {
            Poco::Net::SocketAddress address(value);
            _options.host = address.host().toString();
            _options.port = address.port();
        }
        else if (name == "apps")
            _options.appsFile = value;
        else if (name == "cert")
            _options.certFile = value;
        else if (name == "key")
            _options.keyFile = value;
        else if (name == "ca-out")
            _options.caOut = value;
        else if (name == "http")
            _options.http = true;
        else if (name == "help")
        {
            _helpRequested = true;
            stopOptionsProcessing();
        }
    }

    int main(const std::vector<std::string>& args) override
    {
        if (_helpRequested)
        {
            Poco::Util::HelpFormatter help(options());
            help.setCommand(commandName());
            help.setUsage("--apps=FILE [--listen=127.0.0.1:0] [--cert=PEM --key=PEM] [--ca-out=FILE] [--http]");
            help.setHeader("A local emulator of the Coze OAuth server for tests and demos.");
            help.format(std::cout);
            return EXIT_OK;
        }
        if (!args.empty() || _options.appsFile.empty())
        {
            std::cerr << "usage: " << commandName() << " --apps=FILE [--listen=HOST:PORT] [--cert=PEM --key=PEM]"
                      << " [--ca-out=FILE] [--http]" << std::endl;
            return EXIT_USAGE;
        }
        try
        {
            // With static POCO on Windows nothing else calls WSAStartup.
            Poco::Net::initializeNetwork();
            Poco::Net::initializeSSL();
            EmulatorServer server(_options);
            std::cout << "listening on " << server.baseUrl() << std::endl;
            waitForTerminationRequest();
            server.stop();
        }
        catch (const Poco::Exception& e)
        {
            std::cerr << "coze-emulator: " << e.displayText() << std::endl;
            return EXIT_CONFIG;
        }
        catch (const std::exception& e)
        {
            std::cerr << "coze-emulator: " << e.what() << std::endl;
            return EXIT_CONFIG;
        }
        return EXIT_OK;
    }

private:
    EmulatorServer::Options _options;
    bool _helpRequested = false;
};

} // namespace TokenBroker::Emulator

POCO_SERVER_MAIN(TokenBroker::Emulator::EmulatorApp)
