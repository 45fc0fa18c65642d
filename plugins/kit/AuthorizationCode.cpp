#include "AuthorizationCode.h"

#include <Poco/SHA2Engine.h>

namespace TokenBroker::Kit {

std::string s256Challenge(const std::string& verifier)
{
    Poco::SHA2Engine sha256(Poco::SHA2Engine::SHA_256);
    sha256.update(verifier);
    const Poco::DigestEngine::Digest& digest = sha256.digest();
    return base64Url(std::string(digest.begin(), digest.end()));
}

AuthorizationAttempt AuthorizationAttempt::create(Host& host, bool plainChallenge)
{
    AuthorizationAttempt attempt;
    attempt.state = hex(host.randomBytes(16));
    attempt.verifier = base64Url(host.randomBytes(32));
    attempt.challenge = plainChallenge ? attempt.verifier : s256Challenge(attempt.verifier);
    return attempt;
}

std::optional<Outcome> awaitAuthorizationCode(Host& host, const std::string& redirectUri,
                                              const std::string& authorizeUrl, const std::string& state,
                                              std::int64_t timeoutSeconds, std::string& code,
                                              const std::string& expectedIssuer)
{
    Host::Redirect redirect = host.awaitRedirect(redirectUri, authorizeUrl, state, timeoutSeconds);
    if (redirect.failure)
        return redirect.failure;
    // RFC 9207: a server that names itself must be the one we sent the user
    // to, or another server's code is being injected into this login.
    if (!expectedIssuer.empty() && redirect.query.count("iss") && redirect.query["iss"] != expectedIssuer)
        return Outcome::failure(TOKENBROKER_FATAL, "the redirect came from issuer '" + redirect.query["iss"] +
                                                       "', not '" + expectedIssuer + "'; refusing its code");
    if (redirect.query.count("error"))
        return Outcome::failure(TOKENBROKER_FATAL, "the authorisation was refused: " + redirect.query["error"] +
                                                       (redirect.query["error_description"].empty()
                                                            ? std::string()
                                                            : " (" + redirect.query["error_description"] + ")"));
    code = redirect.query["code"];
    if (code.empty())
        return Outcome::failure(TOKENBROKER_FATAL, "the redirect carried no authorisation code");
    return std::nullopt;
}

} // namespace TokenBroker::Kit
