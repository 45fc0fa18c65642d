#include "Router.h"

#include <Poco/StringTokenizer.h>

#include <vector>

namespace TokenBroker::Emulator {

namespace {

using Endpoint = HttpResponse (*)(Emulator&, const HttpRequest&, const PathParams&);

struct Route
{
    const char* method;
    const char* pattern;
    Endpoint endpoint;
};

const Route routes[] = {
    {"POST", "/api/permission/oauth2/token", tokenEndpoint},
    {"POST", "/api/permission/oauth2/account/{account_id}/token", tokenEndpoint},
    {"POST", "/api/permission/oauth2/enterprise_id/{enterprise_id}/token", tokenEndpoint},
    {"POST", "/api/permission/oauth2/device/code", deviceCodeEndpoint},
    {"POST", "/api/permission/oauth2/workspace_id/{workspace_id}/device/code", deviceCodeEndpoint},
    {"GET", "/api/permission/oauth2/authorize", authorizeEndpoint},
    {"GET", "/api/permission/oauth2/workspace_id/{workspace_id}/authorize", authorizeEndpoint},
    {"GET", "/v1/users/me", usersMeEndpoint},
    {"POST", "/_emulator/device/approve", approveDeviceEndpoint},
    {"GET", "/_emulator/device/approve", approveDeviceEndpoint},
    {"POST", "/_emulator/faults", faultsEndpoint},
    {"GET", "/_emulator/requests", requestsEndpoint},
    {"POST", "/_emulator/reset", resetEndpoint},
    {"POST", "/_emulator/revoke", revokeEndpoint},
    {"POST", "/_emulator/clock", clockEndpoint},
};

std::vector<std::string> segments(const std::string& path)
{
    Poco::StringTokenizer tokens(path, "/");
    return {tokens.begin(), tokens.end()};
}

/// Segment-wise match; a `{name}` segment matches any non-empty segment.
bool match(const std::string& pattern, const std::string& path, PathParams& params)
{
    auto want = segments(pattern);
    auto have = segments(path);
    if (want.size() != have.size() || path.empty() || path[0] != '/' || path.back() == '/')
        return false;
    PathParams found;
    for (std::size_t i = 0; i < want.size(); ++i)
    {
        const std::string& w = want[i];
        if (w.size() > 2 && w.front() == '{' && w.back() == '}')
        {
            if (have[i].empty())
                return false;
            found[w.substr(1, w.size() - 2)] = have[i];
        }
        else if (w != have[i])
        {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

} // namespace

HttpResponse Router::dispatch(Emulator& emulator, const HttpRequest& request)
{
    for (const auto& route : routes)
    {
        PathParams params;
        if (request.method != route.method || !match(route.pattern, request.path, params))
            continue;
        try
        {
            return route.endpoint(emulator, request, params);
        }
        catch (const OAuthError& error)
        {
            return oauthErrorResponse(error);
        }
        catch (const std::exception& error)
        {
            HttpResponse response = oauthErrorResponse(OAuthError("internal_error", "Service internal error."));
            response.status = 500;
            return response;
        }
    }
    return notFound();
}

bool Router::isControlPath(const std::string& path)
{
    return path.rfind("/_emulator/", 0) == 0;
}

} // namespace TokenBroker::Emulator
