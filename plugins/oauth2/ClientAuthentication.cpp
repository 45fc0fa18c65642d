#include "ClientAuthentication.h"

#include <Poco/Base64Encoder.h>

#include <sstream>

namespace TokenBroker::OAuth2 {

namespace {

/// exp - iat of a client assertion: used once, at once.
constexpr std::int64_t kClientAssertionLifetime = 60;

const std::string kClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

ClientAuthentication::Method parseMethod(const Settings& settings)
{
    using Method = ClientAuthentication::Method;
    const bool hasSecret = settings.has("client_secret");
    if (!settings.has("client_auth"))
        return hasSecret ? Method::SecretBasic : Method::None;
    const std::string name = settings.string("client_auth");
    for (Method method : {Method::SecretBasic, Method::SecretPost, Method::PrivateKeyJwt, Method::None})
    {
        if (ClientAuthentication::name(method) == name)
            return method;
    }
    throw SettingError("client_auth", "'client_auth' must be client_secret_basic, client_secret_post, "
                                      "private_key_jwt or none; got '" + name + "'");
}

std::string base64(const std::string& bytes)
{
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << bytes;
    encoder.close();
    return out.str();
}

} // namespace

std::string ClientAuthentication::name(Method method)
{
    switch (method)
    {
    case Method::SecretBasic:
        return "client_secret_basic";
    case Method::SecretPost:
        return "client_secret_post";
    case Method::PrivateKeyJwt:
        return "private_key_jwt";
    case Method::None:
        return "none";
    }
    return "none";
}

ClientAuthentication::ClientAuthentication(const Settings& settings, std::shared_ptr<const Jwt::JwtAssertion> signer)
    : _clientId(settings.string("client_id", ""))
    , _clientSecret(settings.string("client_secret", ""))
    , _method(parseMethod(settings))
    , _signer(std::move(signer))
{
    const bool needsSecret = _method == Method::SecretBasic || _method == Method::SecretPost;
    if (needsSecret && _clientSecret.empty())
        throw SettingError("client_auth", "client_auth " + name(_method) + " needs 'client_secret'");
    if (!needsSecret && !_clientSecret.empty())
        throw SettingError("client_secret", "'client_secret' is not used with client_auth " + name(_method) +
                                                "; remove it or choose client_secret_basic or client_secret_post");
    if (_method == Method::PrivateKeyJwt && !_signer)
        throw SettingError("client_auth", "client_auth private_key_jwt needs 'private_key'");
    if (_method != Method::None && _clientId.empty())
        throw SettingError("client_auth", "client_auth " + name(_method) + " needs 'client_id'");
}

void ClientAuthentication::apply(Host& host, const std::string& tokenEndpoint, FormFields& fields,
                                 std::map<std::string, std::string>& headers) const
{
    switch (_method)
    {
    case Method::SecretBasic:
        headers["Authorization"] = "Basic " + base64(formEncode(_clientId) + ":" + formEncode(_clientSecret));
        return;
    case Method::SecretPost:
        fields.emplace_back("client_id", _clientId);
        fields.emplace_back("client_secret", _clientSecret);
        return;
    case Method::PrivateKeyJwt:
    {
        const std::int64_t now = host.nowSeconds();
        Poco::JSON::Object claims(Poco::JSON_PRESERVE_KEY_ORDER);
        claims.set("iss", _clientId);
        claims.set("sub", _clientId);
        claims.set("aud", tokenEndpoint);
        claims.set("iat", static_cast<Poco::Int64>(now));
        claims.set("exp", static_cast<Poco::Int64>(now + kClientAssertionLifetime));
        claims.set("jti", hex(host.randomBytes(32)));
        fields.emplace_back("client_id", _clientId);
        fields.emplace_back("client_assertion_type", kClientAssertionType);
        fields.emplace_back("client_assertion", _signer->sign(claims));
        return;
    }
    case Method::None:
        if (!_clientId.empty())
            fields.emplace_back("client_id", _clientId);
        return;
    }
}

} // namespace TokenBroker::OAuth2
