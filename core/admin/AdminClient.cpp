#include "AdminClient.h"

#include "AdminToken.h"

#include <fstream>

namespace TokenBroker {

AdminClient::AdminClient(const BrokerSettings& settings)
    : _stateDir(settings.stateDir)
{
    if (settings.adminListen == "off")
        return;
    const std::string listen = settings.adminListen;
    const bool anyPort = listen.size() > 2 && listen.compare(listen.size() - 2, 2, ":0") == 0;
    if (anyPort)
    {
        std::ifstream in(urlFile(settings));
        std::getline(in, _url);
    }
    else
    {
        _url = "http://" + listen;
    }
}

HttpResponse AdminClient::get(const std::string& path) const
{
    if (_url.empty())
        throw TransportError("the admin endpoint is off (broker.admin)");
    HttpRequest request;
    request.url = _url + path;
    return HttpClient("", HttpTimeouts{3, 10, 15}).send(request);
}

HttpResponse AdminClient::post(const std::string& path) const
{
    if (_url.empty())
        throw TransportError("the admin endpoint is off (broker.admin)");
    HttpRequest request;
    request.method = "POST";
    request.url = _url + path;
    request.headers["Authorization"] = AdminToken::read(_stateDir).authorization();
    return HttpClient("", HttpTimeouts{3, 10, 15}).send(request);
}

std::string AdminClient::urlFile(const BrokerSettings& settings)
{
    return settings.stateDir + "/admin.url";
}

} // namespace TokenBroker
