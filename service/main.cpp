#include "TokenBrokerApp.h"

#include "ConfigLoader.h"

#include <Poco/AutoPtr.h>
#include <Poco/Path.h>

#include <cstring>

#ifdef _WIN32
#include <Poco/Net/Net.h>
#else
#include "SignalLoop.h"
#include <sys/resource.h>
#endif

#ifndef _WIN32
namespace {

/// The command word, found before POCO parses the options: `run` must block
/// its signals before any thread exists.
std::string commandWord(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
    {
        if (std::strcmp(argv[i], "-c") == 0)
            ++i;
        else if (argv[i][0] != '-' && argv[i][0] != '/')
            return argv[i];
    }
    return "run";
}

} // namespace
#endif

#ifdef _WIN32
int wmain(int argc, wchar_t** argv)
{
    // With static POCO nothing else calls WSAStartup.
    Poco::Net::initializeNetwork();
    Poco::AutoPtr<TokenBroker::TokenBrokerApp> app = new TokenBroker::TokenBrokerApp;
    app->setDefaultConfigPath(TokenBroker::ConfigLoader::defaultPath());
    int rc = app->run(argc, argv);
    // POCO's Windows run() answers EXIT_SOFTWARE when the options cannot be
    // parsed (its POSIX run() says EXIT_CONFIG): a failure before
    // initialize() is a usage error, exit 2 as on Linux.
    if (rc == Poco::Util::Application::EXIT_SOFTWARE && !app->initialized())
        rc = Poco::Util::Application::EXIT_USAGE;
    return TokenBroker::TokenBrokerApp::exitCode(rc);
}
#else
int main(int argc, char** argv)
{
    // Tokens and keys live in this process's memory: keep them out of core files.
    struct rlimit noCore = {0, 0};
    ::setrlimit(RLIMIT_CORE, &noCore);
    if (commandWord(argc, argv) == "run")
        TokenBroker::blockTerminationSignals();
    Poco::AutoPtr<TokenBroker::TokenBrokerApp> app = new TokenBroker::TokenBrokerApp;
    app->setDefaultConfigPath(Poco::Path(TokenBroker::ConfigLoader::defaultPath()).absolute().toString());
    return TokenBroker::TokenBrokerApp::exitCode(app->run(argc, argv));
}
#endif
