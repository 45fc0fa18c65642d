// `oauth2`: any standards OAuth 2.0 / OpenID Connect authorization server,
// configured from YAML alone (RFC 6749, 7523, 7636, 8414, 8628, 8707, 9207,
// OpenID Connect Discovery).

#include "ClientGrantFlow.h"
#include "UserGrantFlow.h"

namespace {

using namespace TokenBroker::Kit;
using TokenBroker::OAuth2::ClientGrantFlow;
using TokenBroker::OAuth2::UserGrantFlow;

const char* const kSchema = R"json({
  "grant":                         {"type": "string", "required": true, "summary": "client_credentials, authorization_code, device_code or jwt_bearer"},
  "issuer":                        {"type": "string", "summary": "the server's issuer URL; its endpoints are discovered"},
  "token_endpoint":                {"type": "string", "summary": "the token endpoint URL (instead of, or over, discovery)"},
  "authorization_endpoint":        {"type": "string", "summary": "authorization_code: the authorization endpoint URL (over discovery)"},
  "device_authorization_endpoint": {"type": "string", "summary": "device_code: the device authorization endpoint URL (over discovery)"},
  "client_id":                     {"type": "string", "summary": "the client's id"},
  "client_secret":                 {"type": "secret", "summary": "the client's secret: {file: PATH}, {env: NAME} or literal"},
  "client_auth":                   {"type": "string", "summary": "client_secret_basic (default with a secret), client_secret_post, private_key_jwt or none"},
  "private_key":                   {"type": "secret", "summary": "PEM private key (RSA for RS256, P-256 for ES256) for private_key_jwt and jwt_bearer"},
  "key_id":                        {"type": "string", "summary": "kid of the signed assertions"},
  "alg":                           {"type": "string", "summary": "signature algorithm of the assertions: RS256 (default) or ES256"},
  "scope":                         {"type": "list", "summary": "scopes asked for"},
  "audience":                      {"type": "string", "summary": "audience parameter (Auth0 and others)"},
  "resource":                      {"type": "string", "summary": "resource indicator URL (RFC 8707)"},
  "extra_params":                  {"type": "object", "summary": "more parameters added to every token request"},
  "publish":                       {"type": "string", "summary": "access_token (default) or id_token"},
  "default_lifetime":              {"type": "duration", "summary": "lifetime assumed for an opaque token answered without expires_in (default 1h)"},
  "redirect_uri":                  {"type": "string", "summary": "authorization_code: registered redirect URL; login listens on its loopback host and port"},
  "authorization_params":          {"type": "object", "summary": "authorization_code: more parameters of the authorization URL (e.g. prompt)"},
  "login_timeout":                 {"type": "duration", "summary": "authorization_code: how long login waits for the browser (default 5m)"},
  "poll_interval":                 {"type": "duration", "summary": "device_code: shortest wait between polls (default 5s; the server's interval wins if longer)"},
  "assertion_issuer":              {"type": "string", "summary": "jwt_bearer: iss of the assertion (default client_id)"},
  "assertion_subject":             {"type": "string", "summary": "jwt_bearer: sub of the assertion (default its iss)"},
  "assertion_audience":            {"type": "string", "summary": "jwt_bearer: aud of the assertion (default the token endpoint)"},
  "assertion_claims":              {"type": "object", "summary": "jwt_bearer: more claims of the assertion (e.g. scope)"}
})json";

std::unique_ptr<Flow> createFlow(const std::string&, const Settings& settings, Host&)
{
    const std::string grant = settings.string("grant");
    if (grant == "client_credentials")
        return std::make_unique<ClientGrantFlow>(ClientGrantFlow::Grant::ClientCredentials, settings);
    if (grant == "jwt_bearer")
        return std::make_unique<ClientGrantFlow>(ClientGrantFlow::Grant::JwtBearer, settings);
    if (grant == "authorization_code")
        return std::make_unique<UserGrantFlow>(UserGrantFlow::Grant::AuthorizationCode, settings);
    if (grant == "device_code")
        return std::make_unique<UserGrantFlow>(UserGrantFlow::Grant::DeviceCode, settings);
    throw SettingError("grant", "'grant' must be client_credentials, authorization_code, device_code or "
                                "jwt_bearer; got '" + grant + "'");
}

const tokenbroker_flow kFlows[] = {
    {"oauth2", "standards OAuth 2.0 / OpenID Connect, any server: client_credentials, authorization_code + PKCE, "
               "device_code or jwt_bearer (authorization_code and device_code need tokenbroker login)", kSchema},
};

} // namespace

TOKENBROKER_KIT_PLUGIN("oauth2", TOKENBROKER_VERSION, kFlows, &createFlow)
