#include "ClientGrantFlow.h"

namespace TokenBroker::OAuth2 {

namespace {

const std::string kJwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// exp - iat of a jwt_bearer assertion: it is used once, at once; five
/// minutes tolerate a server's clock running behind (Google allows an hour).
constexpr std::int64_t kBearerAssertionLifetime = 300;

const char* const kAssertionKeys[] = {"assertion_issuer", "assertion_subject", "assertion_audience",
                                      "assertion_claims"};

} // namespace

ClientGrantFlow::ClientGrantFlow(Grant grant, const Settings& settings)
    : _grant(grant)
    , _signer(assertionSigner(settings))
    , _requests(settings, _signer, grant == Grant::JwtBearer)
    , _assertionIssuer(settings.string("assertion_issuer", _requests.clientId()))
    , _assertionSubject(settings.string("assertion_subject", _assertionIssuer))
    , _assertionAudience(settings.string("assertion_audience", ""))
    , _assertionClaims(settings.stringMap("assertion_claims"))
{
    if (_grant == Grant::ClientCredentials)
    {
        for (const char* key : kAssertionKeys)
        {
            if (settings.has(key))
                throw SettingError(key, std::string("'") + key + "' is used only by grant jwt_bearer");
        }
        return;
    }
    if (!_signer)
        throw SettingError("private_key", "grant jwt_bearer needs 'private_key' to sign its assertion");
    if (_assertionIssuer.empty())
        throw SettingError("assertion_issuer", "grant jwt_bearer needs 'assertion_issuer' or 'client_id' "
                                               "(the assertion's iss)");
    for (const char* claim : {"iss", "sub", "aud", "iat", "exp", "jti"})
    {
        if (_assertionClaims.count(claim))
            throw SettingError("assertion_claims", std::string("'assertion_claims' must not set '") + claim +
                                                       "': use assertion_issuer, assertion_subject or "
                                                       "assertion_audience, or leave it to the flow");
    }
}

std::string ClientGrantFlow::bearerAssertion(Host& host, const std::string& endpoint) const
{
    const std::int64_t now = host.nowSeconds();
    Poco::JSON::Object claims(Poco::JSON_PRESERVE_KEY_ORDER);
    claims.set("iss", _assertionIssuer);
    claims.set("sub", _assertionSubject);
    claims.set("aud", _assertionAudience.empty() ? endpoint : _assertionAudience);
    claims.set("iat", static_cast<Poco::Int64>(now));
    claims.set("exp", static_cast<Poco::Int64>(now + kBearerAssertionLifetime));
    claims.set("jti", hex(host.randomBytes(32)));
    for (const auto& [name, value] : _assertionClaims)
        claims.set(name, value);
    return _signer->sign(claims);
}

Outcome ClientGrantFlow::acquire(Host& host)
{
    Endpoints endpoints;
    if (auto failed = _requests.endpoints(host, endpoints))
        return *failed;
    FormFields fields;
    if (_grant == Grant::ClientCredentials)
    {
        fields.emplace_back("grant_type", "client_credentials");
    }
    else
    {
        fields.emplace_back("grant_type", kJwtBearerGrant);
        fields.emplace_back("assertion", bearerAssertion(host, endpoints.token));
    }
    const TokenAnswer answer = _requests.post(host, endpoints.token, std::move(fields), true);
    if (answer.outcome.ok())
        return _requests.published(host, answer, endpoints.token);
    Outcome failed = _requests.explained(answer.outcome, answer.errorCode, endpoints.token);
    // Nobody can log in to these grants: every rejection needs the operator.
    if (failed.status != TOKENBROKER_RETRY)
        failed.status = TOKENBROKER_FATAL;
    if (answer.errorCode == "invalid_grant" && _grant == Grant::JwtBearer)
        failed.message += "; the server refused the assertion: check private_key, key_id and assertion_*";
    return failed;
}

Poco::JSON::Object::Ptr ClientGrantFlow::describe() const
{
    Poco::JSON::Object::Ptr description = new Poco::JSON::Object;
    description->set("grant", _grant == Grant::ClientCredentials ? "client_credentials" : "jwt_bearer");
    _requests.describe(*description);
    return description;
}

} // namespace TokenBroker::OAuth2
