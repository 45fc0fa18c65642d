#include "ClientAuth.h"
#include "Endpoints.h"

namespace TokenBroker::Emulator {

namespace {

const std::string grantAuthorizationCode = "authorization_code";
const std::string grantRefreshToken = "refresh_token";
const std::string grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code";
const std::string grantJwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";

constexpr std::int64_t defaultDurationSeconds = 900;
constexpr std::int64_t maxDurationSeconds = 86399;

HttpResponse tokenResponse(const IssuedTokens& tokens)
{
    Poco::JSON::Object body;
    body.set("access_token", tokens.accessToken);
    body.set("expires_in", tokens.expiresAt);
    if (tokens.refreshToken)
        body.set("refresh_token", *tokens.refreshToken);
    return jsonResponse(200, body);
}

std::int64_t durationSeconds(const Poco::JSON::Object& body)
{
    if (!body.has("duration_seconds") || body.isNull("duration_seconds"))
        return defaultDurationSeconds;
    Poco::Dynamic::Var value = body.get("duration_seconds");
    if (!isJsonInteger(value))
        throw OAuthError("invalid_request", "invalid request: duration_seconds must be an integer");
    auto seconds = value.convert<std::int64_t>();
    if (seconds < 1 || seconds > maxDurationSeconds)
        throw OAuthError("invalid_request", "invalid request: duration_seconds must be 1.." + std::to_string(maxDurationSeconds));
    return seconds;
}

void checkScope(const Poco::JSON::Object& body)
{
    if (body.has("scope") && !body.isNull("scope") && !body.isObject("scope"))
        throw OAuthError("invalid_request", "invalid request: scope must be an object");
}

HttpResponse jwtGrant(Emulator& emulator, const HttpRequest& request, const Poco::JSON::Object& body)
{
    // Body first: a malformed request must not burn the JWT's jti.
    const std::int64_t duration = durationSeconds(body);
    checkScope(body);
    JwtGrant grant = emulator.jwt.verify(bearerCredential(request));
    if (grant.app->type != AppType::Jwt)
        throw OAuthError("access_deny", "invalid app type: " + toString(grant.app->type) + " app");
    std::string user = grant.sessionName.empty() ? "service-" + grant.app->clientId : grant.sessionName;
    return tokenResponse(emulator.tokens.issueServiceToken(grant.app->clientId, duration, user));
}

HttpResponse codeGrant(Emulator& emulator, const HttpRequest& request, const Poco::JSON::Object& body)
{
    const std::string clientId = requireString(body, "client_id");
    const App& app = requireApp(emulator.apps, clientId, {AppType::Web, AppType::Pkce});
    if (app.type == AppType::Web)
        requireClientSecret(app, request);
    emulator.codes.redeem(requireString(body, "code"), clientId, requireString(body, "redirect_uri"),
                          optionalString(body, "code_verifier").value_or(""));
    return tokenResponse(emulator.tokens.issueUserTokens(clientId));
}

HttpResponse refreshGrant(Emulator& emulator, const HttpRequest& request, const Poco::JSON::Object& body)
{
    const std::string clientId = requireString(body, "client_id");
    const App& app = requireApp(emulator.apps, clientId, {AppType::Web, AppType::Pkce, AppType::Device});
    if (app.type == AppType::Web)
        requireClientSecret(app, request);
    return tokenResponse(emulator.tokens.refresh(requireString(body, "refresh_token"), clientId));
}

HttpResponse deviceGrant(Emulator& emulator, const Poco::JSON::Object& body)
{
    const std::string clientId = requireString(body, "client_id");
    requireApp(emulator.apps, clientId, {AppType::Device});
    emulator.devices.poll(requireString(body, "device_code"), clientId);
    return tokenResponse(emulator.tokens.issueUserTokens(clientId));
}

} // namespace

HttpResponse tokenEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams& params)
{
    Poco::JSON::Object::Ptr body = parseJsonObjectBody(request);
    const std::string grantType = requireString(*body, "grant_type");
    if (grantType == grantJwtBearer)
        return jwtGrant(emulator, request, *body);
    // The account and enterprise paths exist for service apps only.
    const bool jwtOnlyPath = !params.empty();
    if (!jwtOnlyPath)
    {
        if (grantType == grantAuthorizationCode)
            return codeGrant(emulator, request, *body);
        if (grantType == grantRefreshToken)
            return refreshGrant(emulator, request, *body);
        if (grantType == grantDeviceCode)
            return deviceGrant(emulator, *body);
    }
    throw OAuthError("unsupported_grant_type", "not supported grant type: " + grantType);
}

} // namespace TokenBroker::Emulator
