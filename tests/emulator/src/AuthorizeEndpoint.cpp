#include "Endpoints.h"
#include "Pkce.h"

#include <Poco/URI.h>

namespace TokenBroker::Emulator {

namespace {

/// Like the real consent page, a request that cannot be trusted to name a
/// safe redirect target gets a page, never a redirect.
HttpResponse errorPage(const std::string& message)
{
    HttpResponse response;
    response.status = 400;
    response.contentType = "text/html; charset=utf-8";
    response.body = "<!DOCTYPE html><html><head><title>Authorization failed</title></head><body><h1>"
                    "Authorization failed</h1><p>" + message + "</p></body></html>\n";
    return response;
}

std::string encodeComponent(const std::string& value)
{
    std::string encoded;
    Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]", encoded);
    return encoded;
}

HttpResponse redirect(const std::string& redirectUri, const std::string& parameters, const std::string& state)
{
    HttpResponse response;
    response.status = 302;
    const char separator = redirectUri.find('?') == std::string::npos ? '?' : '&';
    response.headers.emplace_back("Location",
                                  redirectUri + separator + parameters + "&state=" + encodeComponent(state));
    return response;
}

} // namespace

HttpResponse authorizeEndpoint(Emulator& emulator, const HttpRequest& request, const PathParams&)
{
    const App* app = emulator.apps.findApp(request.queryParam("client_id").value_or(""));
    if (!app || (app->type != AppType::Web && app->type != AppType::Pkce))
        return errorPage("Unknown client_id.");
    const auto redirectUri = request.queryParam("redirect_uri");
    if (!redirectUri || !app->hasRedirectUri(*redirectUri))
        return errorPage("The redirect_uri is not registered for this app.");

    const std::string state = request.queryParam("state").value_or("");
    if (request.queryParam("response_type").value_or("") != "code")
        return redirect(*redirectUri, "error=unsupported_response_type", state);
    const std::string method = request.queryParam("code_challenge_method").value_or("");
    if (!Pkce::isSupportedMethod(method))
        return redirect(*redirectUri, "error=invalid_request", state);

    AuthCodeGrant grant;
    grant.clientId = app->clientId;
    grant.redirectUri = *redirectUri;
    grant.codeChallenge = request.queryParam("code_challenge").value_or("");
    grant.codeChallengeMethod = method;
    return redirect(*redirectUri, "code=" + encodeComponent(emulator.codes.issue(grant)), state);
}

} // namespace TokenBroker::Emulator
