#include "OidcProvider.h"

#include "TestKeys.h"
#include "TextMatch.h"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Parser.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace TokenBroker::Test::OAuth2 {

namespace {

std::string stringify(const Poco::JSON::Object& object)
{
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

std::string base64Url(const std::string& bytes)
{
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder.rdbuf()->setLineLength(0);
    encoder << bytes;
    encoder.close();
    return out.str();
}

std::string bigNumberParam(const EVP_PKEY* key, const char* name)
{
    BIGNUM* number = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &number) != 1)
        throw std::runtime_error(std::string("cannot read key parameter ") + name);
    std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
    BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(number);
    return bytes;
}

} // namespace

Poco::JSON::Object::Ptr rsaPublicJwk(const std::string& publicPemPath, const std::string& keyId)
{
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(publicPemPath.c_str(), "r"), &std::fclose);
    if (!file)
        throw std::runtime_error("cannot open " + publicPemPath);
    std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(PEM_read_PUBKEY(file.get(), nullptr, nullptr, nullptr),
                                                       &EVP_PKEY_free);
    if (!key)
        throw std::runtime_error("not a PEM public key: " + publicPemPath);
    Poco::JSON::Object::Ptr jwk = new Poco::JSON::Object;
    jwk->set("kty", "RSA");
    jwk->set("n", base64Url(bigNumberParam(key.get(), OSSL_PKEY_PARAM_RSA_N)));
    jwk->set("e", base64Url(bigNumberParam(key.get(), OSSL_PKEY_PARAM_RSA_E)));
    jwk->set("alg", "RS256");
    jwk->set("use", "sig");
    if (!keyId.empty())
        jwk->set("kid", keyId);
    return jwk;
}

Poco::JSON::Object::Ptr ecPublicJwk(const std::string& privatePemPath, const std::string& keyId)
{
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(privatePemPath.c_str(), "r"), &std::fclose);
    if (!file)
        throw std::runtime_error("cannot open " + privatePemPath);
    std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(PEM_read_PrivateKey(file.get(), nullptr, nullptr, nullptr),
                                                       &EVP_PKEY_free);
    if (!key)
        throw std::runtime_error("not a PEM private key: " + privatePemPath);
    auto coordinate = [&](const char* name) {
        std::string bytes = bigNumberParam(key.get(), name);
        return base64Url(std::string(32 - bytes.size(), '\0') + bytes);
    };
    Poco::JSON::Object::Ptr jwk = new Poco::JSON::Object;
    jwk->set("kty", "EC");
    jwk->set("crv", "P-256");
    jwk->set("x", coordinate(OSSL_PKEY_PARAM_EC_PUB_X));
    jwk->set("y", coordinate(OSSL_PKEY_PARAM_EC_PUB_Y));
    jwk->set("alg", "ES256");
    jwk->set("use", "sig");
    if (!keyId.empty())
        jwk->set("kid", keyId);
    return jwk;
}

Poco::JSON::Object::Ptr clientMetadata(const std::string& clientId, const std::string& authMethod,
                                       const std::vector<std::string>& grantTypes, const std::string& clientSecret)
{
    Poco::JSON::Object::Ptr client = new Poco::JSON::Object;
    client->set("client_id", clientId);
    if (!clientSecret.empty())
        client->set("client_secret", clientSecret);
    client->set("token_endpoint_auth_method", authMethod);
    Poco::JSON::Array::Ptr grants = new Poco::JSON::Array;
    for (const auto& grant : grantTypes)
        grants->add(grant);
    client->set("grant_types", grants);
    client->set("redirect_uris", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
    client->set("response_types", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
    return client;
}

OidcProvider::OidcProvider(Options options)
{
    initializeClientSsl();
    writeServerPki(_dir.path(), "IP:127.0.0.1");
    Poco::JSON::Object config;
    config.set("cert", _dir.file("server.pem"));
    config.set("key", _dir.file("server.key"));
    config.set("clients", options.clients);
    config.set("discovery", options.discovery);
    if (options.jwtBearerIssuers)
    {
        Poco::JSON::Object::Ptr jwtBearer = new Poco::JSON::Object;
        jwtBearer->set("issuers", options.jwtBearerIssuers);
        config.set("jwtBearer", jwtBearer);
    }
    if (options.ttl)
        config.set("ttl", options.ttl);
    if (options.resources)
        config.set("resources", options.resources);
    Poco::JSON::Array::Ptr introspectors = new Poco::JSON::Array;
    for (const auto& clientId : options.introspectors)
        introspectors->add(clientId);
    config.set("introspectors", introspectors);
    if (options.deviceInterval > 0)
        config.set("deviceInterval", options.deviceInterval);
    writeFile(_dir.file("config.json"), stringify(config));

    ChildProcess::Options child;
    child.args = {std::string(TOKENBROKER_OIDC_PROVIDER_DIR) + "/provider.mjs", _dir.file("config.json")};
    child.workingDirectory = TOKENBROKER_OIDC_PROVIDER_DIR;
    _process = std::make_unique<ChildProcess>(TOKENBROKER_NODE, child);
    const std::string line = firstLine(*_process, std::chrono::seconds(60), "oidc-provider");
    const std::string prefix = "listening on https://127.0.0.1:";
    if (line.rfind(prefix, 0) != 0)
        throw std::runtime_error("unexpected first line from oidc-provider: " + line);
    _issuer = line.substr(std::string("listening on ").size());
    _port = static_cast<std::uint16_t>(std::stoi(line.substr(prefix.size())));
    _context = strictClientContext(caFile());
}

OidcProvider::~OidcProvider()
{
    _process->requestStop();
    if (!_process->wait(std::chrono::seconds(10)))
        _process->kill();
}

HttpResult OidcProvider::request(const std::string& method, const std::string& pathAndQuery,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const std::string& body) const
{
    return requestLoopback(_port, _context, method, pathAndQuery, headers, body);
}

std::vector<Poco::JSON::Object::Ptr> OidcProvider::requests(const std::string& pathSuffix) const
{
    const HttpResult result = request("GET", "/_test/requests");
    if (result.status != 200)
        throw std::runtime_error("GET /_test/requests: HTTP " + std::to_string(result.status) + " " + result.body);
    auto all = Poco::JSON::Parser().parse(result.body).extract<Poco::JSON::Array::Ptr>();
    std::vector<Poco::JSON::Object::Ptr> matching;
    for (std::size_t i = 0; i < all->size(); ++i)
    {
        Poco::JSON::Object::Ptr entry = all->getObject(static_cast<unsigned>(i));
        const std::string path = entry->optValue<std::string>("path", "");
        if (pathSuffix.empty() ||
            (path.size() >= pathSuffix.size() && path.compare(path.size() - pathSuffix.size(), pathSuffix.size(), pathSuffix) == 0))
            matching.push_back(entry);
    }
    return matching;
}

void OidcProvider::clearRequests() const
{
    const HttpResult result = request("DELETE", "/_test/requests");
    if (result.status != 200 && result.status != 204)
        throw std::runtime_error("DELETE /_test/requests: HTTP " + std::to_string(result.status));
}

void OidcProvider::fail(const std::string& path, int count, int status, const std::string& body,
                        const std::string& contentType,
                        const std::vector<std::pair<std::string, std::string>>& headers) const
{
    Poco::JSON::Object rule;
    rule.set("path", path);
    rule.set("count", count);
    rule.set("status", status);
    rule.set("body", body);
    rule.set("contentType", contentType);
    Poco::JSON::Object::Ptr headerObject = new Poco::JSON::Object;
    for (const auto& [name, value] : headers)
        headerObject->set(name, value);
    rule.set("headers", headerObject);
    const HttpResult result = request("POST", "/_test/fail", {{"Content-Type", "application/json"}}, stringify(rule));
    if (result.status != 200 && result.status != 204)
        throw std::runtime_error("POST /_test/fail: HTTP " + std::to_string(result.status) + " " + result.body);
}

std::string OidcProvider::authorize(const std::string& authorizationUrl, bool approve, const std::string& account) const
{
    Poco::JSON::Object request;
    request.set("url", authorizationUrl);
    request.set("account", account);
    request.set("approve", approve);
    const HttpResult result =
        this->request("POST", "/_test/authorize", {{"Content-Type", "application/json"}}, stringify(request));
    if (result.status != 200)
        throw std::runtime_error("POST /_test/authorize: HTTP " + std::to_string(result.status) + " " + result.body);
    return result.json()->getValue<std::string>("redirect");
}

void OidcProvider::decideDevice(const std::string& userCode, bool approve, const std::string& account) const
{
    Poco::JSON::Object request;
    request.set("user_code", userCode);
    request.set("account", account);
    request.set("approve", approve);
    const HttpResult result =
        this->request("POST", "/_test/device", {{"Content-Type", "application/json"}}, stringify(request));
    if (result.status != 200)
        throw std::runtime_error("POST /_test/device: HTTP " + std::to_string(result.status) + " " + result.body);
}

Poco::JSON::Object::Ptr OidcProvider::introspect(const std::string& token, const std::string& clientId,
                                                 const std::string& clientSecret) const
{
    const std::string body = "token=" + token + "&client_id=" + clientId + "&client_secret=" + clientSecret;
    const HttpResult result =
        request("POST", "/token/introspection", {{"Content-Type", "application/x-www-form-urlencoded"}}, body);
    if (result.status != 200)
        throw std::runtime_error("introspection: HTTP " + std::to_string(result.status) + " " + result.body);
    return result.json();
}

} // namespace TokenBroker::Test::OAuth2
