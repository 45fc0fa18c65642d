#include "DaemonAdmin.h"

#include "EngineTestSupport.h"

#include <Poco/JSON/Parser.h>

#include <stdexcept>

namespace TokenBroker::Test::OAuth {

DaemonAdmin::DaemonAdmin(const OAuthWorld& world)
    : _world(world)
    , _daemon(world.startBroker({"run"}))
{
    const std::string urlFile = world.stateDir() + "/admin.url";
    // The daemon writes admin.url (atomically) before it logs the address.
    if (!_daemon->waitForOutput("admin endpoint on ", Engine::kDaemonStartBound, true))
        throw std::runtime_error("the daemon announced no admin endpoint:\n" + _daemon->err());
    _url = readFile(urlFile);
    while (!_url.empty() && (_url.back() == '\n' || _url.back() == '\r'))
        _url.pop_back();
}

HttpResult DaemonAdmin::get(const std::string& path) const
{
    return Engine::httpRequest(_url, "GET", path);
}

HttpResult DaemonAdmin::post(const std::string& path, bool authorized) const
{
    std::vector<std::pair<std::string, std::string>> headers;
    if (authorized)
    {
        std::string token = readFile(_world.stateDir() + "/admin.token");
        while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
            token.pop_back();
        headers.emplace_back("Authorization", "Bearer " + token);
    }
    return Engine::httpRequest(_url, "POST", path, headers);
}

Poco::JSON::Object::Ptr DaemonAdmin::profile(const std::string& name) const
{
    auto list = Poco::JSON::Parser().parse(get("/v1/profiles").body).extract<Poco::JSON::Array::Ptr>();
    for (std::size_t i = 0; i < list->size(); ++i)
    {
        auto entry = list->getObject(static_cast<unsigned>(i));
        if (entry->getValue<std::string>("name") == name)
            return entry;
    }
    return nullptr;
}

std::string DaemonAdmin::status(const std::string& name) const
{
    auto entry = profile(name);
    return entry ? entry->getValue<std::string>("status") : std::string();
}

std::string DaemonAdmin::waitForUserCode(const std::string& name, std::chrono::milliseconds timeout) const
{
    std::string code;
    Engine::waitUntil([&] {
        auto entry = profile(name);
        auto login = entry ? entry->getObject("login") : nullptr;
        code = login ? login->optValue<std::string>("user_code", "") : std::string();
        return !code.empty();
    }, timeout);
    return code;
}

} // namespace TokenBroker::Test::OAuth
