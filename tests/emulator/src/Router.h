#pragma once

#include "Endpoints.h"

namespace TokenBroker::Emulator {

/// Maps method + path to an endpoint; `{name}` segments become PathParams.
/// Anything unknown, including a known path with another method, is 404
/// (spec §5 row 1).
class Router
{
public:
    /// Answers the request; OAuthError from endpoints becomes the OAuth
    /// error envelope.
    static HttpResponse dispatch(Emulator& emulator, const HttpRequest& request);

    /// Whether the path belongs to the test hooks (not recorded, no faults).
    static bool isControlPath(const std::string& path);
};

} // namespace TokenBroker::Emulator
