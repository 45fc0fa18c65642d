#include "OAuthWorld.h"

#include "LoginUser.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <sstream>
#include <stdexcept>

namespace TokenBroker::Test::OAuth {

std::uint16_t freeLoopbackPort()
{
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    const std::uint16_t port = socket.address().port();
    socket.close();
    return port;
}

namespace {

std::string appsYaml(const std::string& redirectUri, const EmulatorSettings& settings)
{
    std::ostringstream yaml;
    yaml << "apps:\n"
         << "  - client_id: " << kDeviceClient << "\n"
         << "    type: device\n"
         << "  - client_id: " << kWebClient << "\n"
         << "    type: web\n"
         << "    client_secret: " << kWebSecret << "\n"
         << "    redirect_uris: [\"" << redirectUri << "\"]\n"
         << "  - client_id: " << kPkceClient << "\n"
         << "    type: pkce\n"
         << "    redirect_uris: [\"" << redirectUri << "\"]\n"
         // Device logins poll at 1 s so the tests stay fast.
         << "device_interval: 1\n"
         << "device_code_ttl: " << settings.deviceCodeTtl << "\n"
         << "access_ttl: " << settings.accessTtl << "\n"
         << "refresh_reuse_grace: " << settings.refreshReuseGrace << "\n";
    return yaml.str();
}

std::string indented(const std::string& lines)
{
    std::istringstream in(lines);
    std::string line, result;
    while (std::getline(in, line))
        if (!line.empty())
            result += "    " + line + "\n";
    return result;
}

} // namespace

OAuthWorld::OAuthWorld(EmulatorSettings settings)
    : _redirectPort(freeLoopbackPort())
    , _redirectUri("http://127.0.0.1:" + std::to_string(_redirectPort) + "/cb")
    , _configPath(_dir.file("tokenbroker.yaml"))
    , _emulator(std::make_unique<EmulatorProcess>(appsYaml(_redirectUri, settings)))
{
}

std::string OAuthWorld::profile(const std::string& name, const std::string& flow, const std::string& settings)
{
    _flowOf[name] = flow;
    return "  " + name + ":\n"
           "    flow: " + flow + "\n"
           "    base_url: " + _emulator->baseUrl() + "\n"
           "    ca_file: " + _emulator->caFile() + "\n" +
           indented(settings) +
           "    outputs:\n"
           "      - file: out/" + name + ".token\n";
}

std::string OAuthWorld::deviceProfile(const std::string& name, const std::string& extra)
{
    return profile(name, "device", "client_id: " + kDeviceClient + "\npoll_interval: 1s\n" + extra);
}

std::string OAuthWorld::webProfile(const std::string& name, const std::string& extra)
{
    return profile(name, "web", "client_id: " + kWebClient + "\nclient_secret: " + kWebSecret +
                                    "\nredirect_uri: " + _redirectUri + "\nlogin_timeout: 60s\n" + extra);
}

std::string OAuthWorld::pkceProfile(const std::string& name, const std::string& extra)
{
    return profile(name, "pkce", "client_id: " + kPkceClient + "\nredirect_uri: " + _redirectUri +
                                     "\nlogin_timeout: 60s\n" + extra);
}

void OAuthWorld::writeConfig(const std::string& profiles, const std::string& adminListen,
                             const std::string& brokerExtra) const
{
    writeFile(_configPath, "broker:\n"
                           "  state_dir: state\n" +
                               (adminListen == "off" ? std::string("  admin: off\n")
                                                     : "  admin: {listen: \"" + adminListen + "\"}\n") +
                               brokerExtra + "profiles:\n" + profiles);
}

ChildProcess::Options OAuthWorld::brokerOptions(const std::vector<std::string>& args) const
{
    ChildProcess::Options options;
    options.args = args;
    options.args.push_back("-c");
    options.args.push_back(_configPath);
    options.unsetEnv = {"TOKENBROKER_CONFIG",          "COZE_WEB_OAUTH_CLIENT_ID",  "COZE_WEB_OAUTH_CLIENT_SECRET",
                        "COZE_WEB_OAUTH_REDIRECT_URI", "COZE_PKCE_OAUTH_CLIENT_ID", "COZE_DEVICE_OAUTH_CLIENT_ID",
                        "DISPLAY",                     "WAYLAND_DISPLAY",           "BROWSER"};
    return options;
}

RunResult OAuthWorld::broker(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const
{
    return run(TOKENBROKER_EXE, brokerOptions(args), timeout);
}

std::unique_ptr<ChildProcess> OAuthWorld::startBroker(const std::vector<std::string>& args) const
{
    return std::make_unique<ChildProcess>(TOKENBROKER_EXE, brokerOptions(args));
}

std::unique_ptr<ChildProcess> OAuthWorld::startLogin(const std::string& profile) const
{
    return startBroker({"login", profile, "--no-browser"});
}

Poco::JSON::Object::Ptr OAuthWorld::state(const std::string& profile) const
{
    return Poco::JSON::Parser().parse(readFile(statePath(profile))).extract<Poco::JSON::Object::Ptr>();
}

std::string OAuthWorld::storedRefreshToken(const std::string& profile) const
{
    Poco::JSON::Object::Ptr plugin = state(profile)->getObject("plugin");
    return plugin ? plugin->optValue<std::string>("refresh_token", "") : std::string();
}

std::string OAuthWorld::publishedToken(const std::string& profile) const
{
    std::string text = readFile(outputPath(profile));
    if (!text.empty() && text.back() == '\n')
        text.pop_back();
    return text;
}

bool OAuthWorld::serverAccepts(const std::string& accessToken) const
{
    HttpResult me = _emulator->request("GET", "/v1/users/me", {{"Authorization", "Bearer " + accessToken}});
    return me.status == 200 && me.json()->getValue<int>("code") == 0;
}

void OAuthWorld::login(const std::string& profile)
{
    std::unique_ptr<ChildProcess> login = startLogin(profile);
    if (_flowOf.at(profile) == "device")
        _emulator->approveDevice(readUserCode(*login));
    else
    {
        HttpResult landing = browse(authorize(*_emulator, readAuthorizeUrl(*login)));
        if (landing.status != 200)
            throw std::runtime_error("the listener answered " + std::to_string(landing.status));
    }
    std::optional<int> status = login->wait(std::chrono::seconds(30));
    if (status != 0)
        throw std::runtime_error("login " + profile + " failed (" + (status ? std::to_string(*status) : "timeout") +
                                 "):\n" + login->out() + login->err());
}

} // namespace TokenBroker::Test::OAuth
