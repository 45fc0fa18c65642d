#include "ClientAuth.h"

#include <algorithm>

namespace TokenBroker::Emulator {

const App& requireApp(const AppRegistry& apps, const std::string& clientId, std::initializer_list<AppType> allowed)
{
    const App* app = apps.findApp(clientId);
    if (!app)
        throw OAuthError("invalid_client", "invalid client: unknown client_id");
    if (std::find(allowed.begin(), allowed.end(), app->type) == allowed.end())
        throw OAuthError("access_deny", "invalid app type: " + toString(app->type) + " app");
    return *app;
}

void requireClientSecret(const App& app, const HttpRequest& request)
{
    if (!app.hasSecret(bearerCredential(request)))
        throw OAuthError("invalid_client", "invalid client: wrong or missing client secret");
}

} // namespace TokenBroker::Emulator
