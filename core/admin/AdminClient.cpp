#include "AdminClient.h"

#include "AdminToken.h"
#include "DefaultPaths.h"

#include <fstream>

namespace TokenBroker {

namespace {

/// The URL a daemon recorded in state_dir; empty when this user cannot read it.
std::string recordedUrl(const BrokerSettings& settings)
{
    std::ifstream in(AdminClient::urlFile(settings));
    std::string url;
    std::getline(in, url);
    return url;
}

} // namespace

AdminClient::AdminClient(const BrokerSettings& settings)
    : _stateDir(settings.stateDir)
{
    if (settings.adminListen == "off")
        return;
    const std::string& listen = settings.adminListen;
    const bool anyPort = listen.size() > 2 && listen.compare(listen.size() - 2, 2, ":0") == 0;
    // With TLS the daemon records the https URL (and a wildcard address's
    // loopback one); the certificate is the trust anchor to check it by.
    const bool tls = !settings.adminCert.empty();
    _caFile = settings.adminCert;
    const std::string url = anyPort || tls ? recordedUrl(settings) : "http://" + listen;
    if (!url.empty())
        _urls.push_back(url);
}

AdminClient AdminClient::locate(const std::string& explicitUrl, const BrokerSettings* settings)
{
    BrokerSettings defaults;
    defaults.stateDir = platformDefaultStateDir();
    AdminClient client;
    client._stateDir = settings ? settings->stateDir : defaults.stateDir;
    client._caFile = settings ? settings->adminCert : std::string();
    if (!explicitUrl.empty())
    {
        client._urls.push_back(explicitUrl);
        return client;
    }
    if (settings)
        return AdminClient(*settings);
    client._urls.push_back("http://" + defaults.adminListen);
    const std::string recorded = recordedUrl(defaults);
    if (!recorded.empty() && recorded != client._urls.front())
        client._urls.push_back(recorded);
    return client;
}

HttpResponse AdminClient::send(HttpRequest request) const
{
    if (_urls.empty())
        throw TransportError("the admin endpoint is off (broker.admin)");
    const std::string path = request.url;
    std::string tried;
    for (const auto& url : _urls)
    {
        request.url = url + path;
        try
        {
            return HttpClient(url.rfind("https://", 0) == 0 ? _caFile : "", HttpTimeouts{3, 10, 15}).send(request);
        }
        catch (const TransportError& e)
        {
            tried += (tried.empty() ? "" : "; ") + url + ": " + e.what();
        }
    }
    throw TransportError(tried);
}

HttpResponse AdminClient::get(const std::string& path) const
{
    HttpRequest request;
    request.url = path;
    return send(request);
}

HttpResponse AdminClient::post(const std::string& path) const
{
    HttpRequest request;
    request.method = "POST";
    request.url = path;
    request.headers["Authorization"] = AdminToken::read(_stateDir).authorization();
    return send(request);
}

HttpResponse AdminClient::getWithToken(const std::string& path) const
{
    HttpRequest request;
    request.url = path;
    request.headers["Authorization"] = AdminToken::read(_stateDir).authorization();
    return send(request);
}

std::string AdminClient::urlFile(const BrokerSettings& settings)
{
    return settings.stateDir + "/admin.url";
}

} // namespace TokenBroker
