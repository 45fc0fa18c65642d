#include "OAuth2TestSupport.h"

#include "OAuthWorld.h"
#include "TestKeys.h"

#include <Poco/Base64Decoder.h>
#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <boost/test/unit_test.hpp>

#include <sstream>

namespace TokenBroker::Test::OAuth2 {

const std::string kSecret = "s3cret-of-the-basic-client";
const std::string kIntrospector = "introspector";
const std::string kIntrospectorSecret = "introspector-secret";

Keys::Keys()
{
    writeRsaKeyPair(clientKey, clientPublic);
    writeRsaKeyPair(strangerKey, strangerPublic);
    writeEcKey(ecKey);
}

const Keys& Keys::get()
{
    static const Keys keys;
    return keys;
}

const std::string& redirectUri()
{
    static const std::string uri = "http://127.0.0.1:" + std::to_string(OAuth::freeLoopbackPort()) + "/cb";
    return uri;
}

namespace {

Poco::JSON::Array::Ptr array(const std::vector<std::string>& values)
{
    Poco::JSON::Array::Ptr result = new Poco::JSON::Array;
    for (const auto& value : values)
        result->add(value);
    return result;
}

} // namespace

OidcProvider::Options standardServer()
{
    OidcProvider::Options options;
    options.clients->add(clientMetadata("basic-client", "client_secret_basic", {"client_credentials"}, kSecret));
    options.clients->add(clientMetadata("post-client", "client_secret_post", {"client_credentials"}, kSecret));
    auto jwtClient = clientMetadata("jwt-client", "private_key_jwt", {"client_credentials"});
    Poco::JSON::Object::Ptr jwks = new Poco::JSON::Object;
    Poco::JSON::Array::Ptr keys = new Poco::JSON::Array;
    keys->add(rsaPublicJwk(Keys::get().clientPublic, "client-key-1"));
    jwks->set("keys", keys);
    jwtClient->set("jwks", jwks);
    options.clients->add(jwtClient);
    auto esClient = clientMetadata("es-client", "private_key_jwt", {"client_credentials"});
    Poco::JSON::Object::Ptr esJwks = new Poco::JSON::Object;
    Poco::JSON::Array::Ptr esKeys = new Poco::JSON::Array;
    esKeys->add(ecPublicJwk(Keys::get().ecKey, "ec-key-1"));
    esJwks->set("keys", esKeys);
    esClient->set("jwks", esJwks);
    esClient->set("token_endpoint_auth_signing_alg", "ES256");
    options.clients->add(esClient);
    options.clients->add(clientMetadata("bearer-client", "none", {"urn:ietf:params:oauth:grant-type:jwt-bearer"}));
    auto appClient = clientMetadata("app-client", "none", {"authorization_code", "refresh_token"});
    appClient->set("redirect_uris", array({redirectUri()}));
    appClient->set("response_types", array({"code"}));
    options.clients->add(appClient);
    options.clients->add(
        clientMetadata("tv-client", "none", {"urn:ietf:params:oauth:grant-type:device_code", "refresh_token"}));
    options.clients->add(clientMetadata(kIntrospector, "client_secret_post", {"client_credentials"}, kIntrospectorSecret));
    options.introspectors = {kIntrospector};
    options.jwtBearerIssuers = new Poco::JSON::Object;
    options.jwtBearerIssuers->set("robot@example.test", rsaPublicJwk(Keys::get().clientPublic));
    options.resources = new Poco::JSON::Object;
    Poco::JSON::Object::Ptr api = new Poco::JSON::Object;
    api->set("scope", "read write");
    options.resources->set("https://api.example.test", api);
    options.deviceInterval = 1;
    return options;
}

OidcProvider& server()
{
    static OidcProvider provider(standardServer());
    return provider;
}

void Broker::write(const std::vector<std::pair<std::string, std::string>>& profiles, const std::string& caFile) const
{
    std::string text = "broker:\n  state_dir: state\n  admin: off\nprofiles:\n";
    for (const auto& [name, settings] : profiles)
    {
        text += "  " + name + ":\n    flow: oauth2\n    ca_file: " + caFile + "\n" + settings +
                "    outputs:\n      - file: out/" + name + ".token\n";
    }
    writeFile(config, text);
}

std::string Broker::token(const std::string& name) const
{
    return Poco::trimRight(readFile(dir.file("out/" + name + ".token")));
}

bool Broker::hasToken(const std::string& name) const
{
    return Poco::File(dir.file("out/" + name + ".token")).exists();
}

namespace {

ChildProcess::Options brokerOptions(std::vector<std::string> args, const std::string& config)
{
    ChildProcess::Options options;
    options.args = std::move(args);
    options.args.push_back("-c");
    options.args.push_back(config);
    options.unsetEnv = {"TOKENBROKER_CONFIG"};
    return options;
}

} // namespace

RunResult Broker::run(const std::vector<std::string>& args) const
{
    return TokenBroker::Test::run(TOKENBROKER_EXE, brokerOptions(args, config));
}

std::unique_ptr<ChildProcess> Broker::start(const std::vector<std::string>& args) const
{
    return std::make_unique<ChildProcess>(TOKENBROKER_EXE, brokerOptions(args, config));
}

std::string Broker::storedRefreshToken(const std::string& profile) const
{
    auto state = Poco::JSON::Parser().parse(readFile(dir.file("state/" + profile + ".json")))
                     .extract<Poco::JSON::Object::Ptr>();
    auto plugin = state->getObject("plugin");
    return plugin ? plugin->optValue<std::string>("refresh_token", "") : std::string();
}

namespace {

/// Part `index` (0 header, 1 payload) of a compact JWS, decoded and parsed.
Poco::JSON::Object::Ptr jwtPart(const std::string& compact, int index)
{
    const std::size_t first = compact.find('.');
    const std::size_t second = compact.find('.', first + 1);
    BOOST_TEST_REQUIRE((first != std::string::npos && second != std::string::npos), "not a JWT: " << compact);
    std::string part = index == 0 ? compact.substr(0, first) : compact.substr(first + 1, second - first - 1);
    for (char& c : part)
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    part.append((4 - part.size() % 4) % 4, '=');
    std::istringstream in(part);
    Poco::Base64Decoder decoder(in);
    std::ostringstream text;
    text << decoder.rdbuf();
    return Poco::JSON::Parser().parse(text.str()).extract<Poco::JSON::Object::Ptr>();
}

} // namespace

Poco::JSON::Object::Ptr jwtPayload(const std::string& compact)
{
    return jwtPart(compact, 1);
}

Poco::JSON::Object::Ptr jwtHeader(const std::string& compact)
{
    return jwtPart(compact, 0);
}

std::string param(const Poco::JSON::Object::Ptr& request, const std::string& name)
{
    Poco::JSON::Object::Ptr params = request->getObject("params");
    return params && params->has(name) ? params->getValue<std::string>(name) : std::string();
}

std::string authorizationOf(const Poco::JSON::Object::Ptr& request)
{
    return request->isNull("authorization") ? std::string() : request->optValue<std::string>("authorization", "");
}

Poco::JSON::Object::Ptr expectLiveToken(const Broker& broker, const std::string& profile, const std::string& clientId)
{
    BOOST_TEST_REQUIRE(broker.hasToken(profile));
    const std::string token = broker.token(profile);
    auto introspection = server().introspect(token, kIntrospector, kIntrospectorSecret);
    BOOST_TEST(introspection->getValue<bool>("active"), "not active: " << token);
    BOOST_TEST(introspection->optValue<std::string>("client_id", "") == clientId);
    return introspection;
}

} // namespace TokenBroker::Test::OAuth2
