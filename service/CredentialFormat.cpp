#include "CredentialFormat.h"

#include "Duration.h"
#include "TokenFormat.h"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <sstream>

namespace TokenBroker {

const std::vector<std::string>& credentialFormats()
{
    static const std::vector<std::string> formats{"raw", "json", "env", "exec-credential"};
    return formats;
}

bool usableForCaller(const Token& token, std::int64_t nowMs)
{
    if (token.accessToken.empty())
        return false;
    if (!token.expires())
        return true;
    constexpr std::int64_t minimumRemaining = 60;
    const std::int64_t lifetime = token.obtainedAt > 0 ? token.expiresAt - token.obtainedAt : minimumRemaining * 2;
    // In milliseconds: whole seconds would pass a token with 2.9 s left as
    // one with 3 s.
    return token.expiresAt * 1000 - nowMs > std::min(minimumRemaining, lifetime / 2) * 1000;
}

std::string formatCredential(const Token& token, const std::string& format, const std::string& profile)
{
    if (format != "exec-credential")
        return formatToken(token, format, "COZE_API_TOKEN", profile);
    Poco::JSON::Object::Ptr status = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    status->set("token", token.accessToken);
    // Absent for a token that never expires: the client then keeps using
    // it until the server rejects it, and asks again.
    if (token.expires())
        status->set("expirationTimestamp", formatUtcTime(token.expiresAt));
    Poco::JSON::Object credential(Poco::JSON_PRESERVE_KEY_ORDER);
    credential.set("apiVersion", "client.authentication.k8s.io/v1");
    credential.set("kind", "ExecCredential");
    credential.set("status", status);
    std::ostringstream out;
    credential.stringify(out);
    return out.str() + "\n";
}

} // namespace TokenBroker
