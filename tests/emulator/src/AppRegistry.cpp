#include "AppRegistry.h"

#include <Poco/Path.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace TokenBroker::Emulator {

namespace {

AppType parseType(const std::string& text, const std::string& clientId)
{
    if (text == "jwt")
        return AppType::Jwt;
    if (text == "web")
        return AppType::Web;
    if (text == "pkce")
        return AppType::Pkce;
    if (text == "device")
        return AppType::Device;
    throw std::runtime_error("app " + clientId + ": unknown type '" + text + "' (jwt, web, pkce or device)");
}

/// A scalar or a list of scalars, so `client_secret: x` and a list both work.
std::vector<std::string> stringList(const YAML::Node& node)
{
    std::vector<std::string> result;
    if (!node)
        return result;
    if (node.IsSequence())
        for (const auto& item : node)
            result.push_back(item.as<std::string>());
    else
        result.push_back(node.as<std::string>());
    return result;
}

std::string readText(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::int64_t positiveSeconds(const YAML::Node& root, const std::string& name, std::int64_t fallback)
{
    if (!root[name])
        return fallback;
    auto value = root[name].as<std::int64_t>();
    if (value <= 0)
        throw std::runtime_error(name + " must be a positive number of seconds");
    return value;
}

std::int64_t nonNegativeSeconds(const YAML::Node& root, const std::string& name, std::int64_t fallback)
{
    if (!root[name])
        return fallback;
    auto value = root[name].as<std::int64_t>();
    if (value < 0)
        throw std::runtime_error(name + " must be 0 or a positive number of seconds");
    return value;
}

App parseApp(const YAML::Node& node, const Poco::Path& baseDir)
{
    App app;
    app.clientId = node["client_id"].as<std::string>("");
    if (app.clientId.empty())
        throw std::runtime_error("an app has no client_id");
    app.type = parseType(node["type"].as<std::string>(""), app.clientId);
    if (const auto& keys = node["public_keys"])
    {
        for (const auto& entry : keys)
        {
            Poco::Path keyPath(baseDir, Poco::Path(entry.second.as<std::string>()));
            app.publicKeys[entry.first.as<std::string>()] = readText(keyPath.toString());
        }
    }
    app.clientSecrets = stringList(node["client_secret"]);
    app.redirectUris = stringList(node["redirect_uris"]);

    if (app.type == AppType::Jwt && app.publicKeys.empty())
        throw std::runtime_error("jwt app " + app.clientId + " has no public_keys");
    if (app.type == AppType::Web && app.clientSecrets.empty())
        throw std::runtime_error("web app " + app.clientId + " has no client_secret");
    if ((app.type == AppType::Web || app.type == AppType::Pkce) && app.redirectUris.empty())
        throw std::runtime_error("app " + app.clientId + " has no redirect_uris");
    return app;
}

} // namespace

std::string toString(AppType type)
{
    switch (type)
    {
    case AppType::Jwt: return "jwt";
    case AppType::Web: return "web";
    case AppType::Pkce: return "pkce";
    case AppType::Device: return "device";
    }
    return "?";
}

bool App::hasSecret(const std::string& secret) const
{
    return !secret.empty() && std::find(clientSecrets.begin(), clientSecrets.end(), secret) != clientSecrets.end();
}

bool App::hasRedirectUri(const std::string& uri) const
{
    return std::find(redirectUris.begin(), redirectUris.end(), uri) != redirectUris.end();
}

AppRegistry AppRegistry::load(const std::string& path)
{
    Poco::Path absolute = Poco::Path(path).absolute();
    Poco::Path baseDir = absolute.parent();
    YAML::Node root;
    try
    {
        root = YAML::LoadFile(absolute.toString());
    }
    catch (const YAML::Exception& e)
    {
        throw std::runtime_error("cannot load apps file " + path + ": " + e.what());
    }

    AppRegistry registry;
    try
    {
        for (const auto& node : root["apps"])
        {
            App app = parseApp(node, baseDir);
            if (registry.findApp(app.clientId))
                throw std::runtime_error("duplicate client_id " + app.clientId);
            for (const auto& [kid, pem] : app.publicKeys)
                if (registry.findAppByKid(kid))
                    throw std::runtime_error("key id " + kid + " is registered twice");
            registry._apps.push_back(std::move(app));
        }
        for (const auto& pat : stringList(root["pats"]))
            registry._pats.insert(pat);
        registry._accessTtl = positiveSeconds(root, "access_ttl", registry._accessTtl);
        registry._refreshTtl = positiveSeconds(root, "refresh_ttl", registry._refreshTtl);
        registry._codeTtl = positiveSeconds(root, "code_ttl", registry._codeTtl);
        registry._deviceCodeTtl = positiveSeconds(root, "device_code_ttl", registry._deviceCodeTtl);
        registry._deviceInterval = positiveSeconds(root, "device_interval", registry._deviceInterval);
        registry._maxJwtLifetime = positiveSeconds(root, "max_jwt_lifetime", registry._maxJwtLifetime);
        registry._refreshReuseGrace = nonNegativeSeconds(root, "refresh_reuse_grace", registry._refreshReuseGrace);
        registry._jwtAudiences = stringList(root["jwt_audiences"]);
    }
    catch (const YAML::Exception& e)
    {
        throw std::runtime_error("invalid apps file " + path + ": " + e.what());
    }
    return registry;
}

const App* AppRegistry::findApp(const std::string& clientId) const
{
    for (const auto& app : _apps)
        if (app.clientId == clientId)
            return &app;
    return nullptr;
}

const App* AppRegistry::findAppByKid(const std::string& kid) const
{
    for (const auto& app : _apps)
        if (app.publicKeys.count(kid))
            return &app;
    return nullptr;
}

} // namespace TokenBroker::Emulator
