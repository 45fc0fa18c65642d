// `web`, `pkce` and `device`: the Coze flows a user authorises once with
// `tokenbroker login`, renewed afterwards with rotating refresh tokens.

#include "AuthorizationCodeFlow.h"
#include "DeviceCodeFlow.h"

namespace {

using namespace TokenBroker::Kit;
using TokenBroker::OAuth::AuthorizationCodeFlow;

const char* const kWebSchema = R"json({
  "client_id":     {"type": "string", "required": true, "env": "COZE_WEB_OAUTH_CLIENT_ID", "summary": "the web app's client id"},
  "client_secret": {"type": "secret", "required": true, "env": "COZE_WEB_OAUTH_CLIENT_SECRET", "summary": "the web app's client secret"},
  "redirect_uri":  {"type": "string", "required": true, "env": "COZE_WEB_OAUTH_REDIRECT_URI", "summary": "registered redirect URL; login listens on its loopback host and port"},
  "workspace_id":  {"type": "string", "summary": "authorise for one workspace"},
  "login_timeout": {"type": "duration", "summary": "how long login waits for the browser (default 5m)"}
})json";

const char* const kPkceSchema = R"json({
  "client_id":             {"type": "string", "required": true, "env": "COZE_PKCE_OAUTH_CLIENT_ID", "summary": "the PKCE app's client id"},
  "redirect_uri":          {"type": "string", "required": true, "env": "COZE_WEB_OAUTH_REDIRECT_URI", "summary": "registered redirect URL; login listens on its loopback host and port"},
  "code_challenge_method": {"type": "string", "summary": "S256 (default) or plain"},
  "workspace_id":          {"type": "string", "summary": "authorise for one workspace"},
  "login_timeout":         {"type": "duration", "summary": "how long login waits for the browser (default 5m)"}
})json";

const char* const kDeviceSchema = R"json({
  "client_id":     {"type": "string", "required": true, "env": "COZE_DEVICE_OAUTH_CLIENT_ID", "summary": "the device app's client id"},
  "workspace_id":  {"type": "string", "summary": "authorise for one workspace"},
  "poll_interval": {"type": "duration", "summary": "shortest wait between polls (default 5s; the server's interval wins if longer)"}
})json";

std::unique_ptr<Flow> createFlow(const std::string& flow, const Settings& settings, Host&)
{
    if (flow == "web")
        return std::make_unique<AuthorizationCodeFlow>(AuthorizationCodeFlow::Kind::Web, settings);
    if (flow == "pkce")
        return std::make_unique<AuthorizationCodeFlow>(AuthorizationCodeFlow::Kind::Pkce, settings);
    if (flow == "device")
        return std::make_unique<TokenBroker::OAuth::DeviceCodeFlow>(settings);
    throw std::invalid_argument("unknown flow '" + flow + "'");
}

const tokenbroker_flow kFlows[] = {
    {"web", "Coze web app (authorization code + client secret); needs tokenbroker login", kWebSchema},
    {"pkce", "Coze PKCE app (public client); needs tokenbroker login", kPkceSchema},
    {"device", "Coze device-code app; needs tokenbroker login", kDeviceSchema},
};

} // namespace

TOKENBROKER_KIT_PLUGIN("coze-oauth", TOKENBROKER_VERSION, kFlows, &createFlow)
