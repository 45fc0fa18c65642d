#include "TokenBrokerApp.h"

#include "ConfigLoader.h"
#include "FatalSignalReport.h"

#include <Poco/AutoPtr.h>
#include <Poco/Path.h>

#include <cstring>

#ifdef _WIN32
#include "WindowsService_win32.h"
#include "Win32Text_win32.h"

#include <Poco/Logger.h>
#include <Poco/Net/Net.h>
#include <Poco/String.h>

#include <algorithm>
#include <iostream>
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
namespace {

/// One application run, in a console or as the service: options, then
/// `main`; returns the exit code (0, 1, 2).
int runApplication(const std::vector<std::string>& args, bool asService)
{
    Poco::AutoPtr<TokenBroker::TokenBrokerApp> app = new TokenBroker::TokenBrokerApp;
    app->setDefaultConfigPath(TokenBroker::ConfigLoader::defaultPath());
    // Read in initialize(): outputs and logging differ in a service.
    app->config().setBool("application.runAsService", asService);
    try
    {
        app->init(args);
    }
    catch (const Poco::Exception& e)
    {
        std::cerr << "tokenbroker: " << e.displayText() << "; see tokenbroker --help\n";
        Poco::Logger::get("tokenbroker").error("cannot start: %s", e.displayText());
        return TokenBroker::TokenBrokerApp::UsageError;
    }
    // Application::run() (initialize, main, uninitialize); ServerApplication
    // makes its own run() protected.
    Poco::Util::Application& application = *app;
    return TokenBroker::TokenBrokerApp::exitCode(application.run());
}

} // namespace

int wmain(int argc, wchar_t** argv)
{
    // With static POCO nothing else calls WSAStartup.
    Poco::Net::initializeNetwork();
    TokenBroker::installFatalSignalReport();
    std::vector<std::string> args;
    for (int i = 0; i < argc; ++i)
        args.push_back(TokenBroker::Win32::narrow(argv[i]));
    // POCO's Windows spelling of the service commands; the OptionSet takes
    // Unix-style options.
    for (std::size_t i = 1; i < args.size(); ++i)
    {
        if (Poco::icompare(args[i], "/registerService") == 0)
            args[i] = "--registerService";
        else if (Poco::icompare(args[i], "/unregisterService") == 0)
            args[i] = "--unregisterService";
    }
    const auto service = std::find(args.begin() + 1, args.end(), TokenBroker::kServiceOption);
    if (service == args.end())
        return runApplication(args, false);
    args.erase(service);
    int exitCode = 0;
    if (TokenBroker::WindowsService::dispatch(
            args, [](const std::vector<std::string>& serviceArgs) { return runApplication(serviceArgs, true); },
            exitCode))
        return exitCode;
    std::cerr << "tokenbroker: " << TokenBroker::kServiceOption
              << " is for the service control manager, which starts the registered TokenBroker service; "
                 "in a console use `tokenbroker run`\n";
    return TokenBroker::TokenBrokerApp::UsageError;
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
    // After the application exists: POCO's Application constructor installs
    // its own SIGSEGV/SIGBUS/SIGILL handlers, which would otherwise answer a
    // plugin's fault before ours could name the plugin.
    TokenBroker::installFatalSignalReport();
    app->setDefaultConfigPath(Poco::Path(TokenBroker::ConfigLoader::defaultPath()).absolute().toString());
    return TokenBroker::TokenBrokerApp::exitCode(app->run(argc, argv));
}
#endif
