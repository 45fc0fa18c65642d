#include "TokenFormat.h"

#include <Poco/JSON/Object.h>

#include <sstream>
#include <stdexcept>

namespace TokenBroker {

namespace {

bool needsQuoting(const std::string& value)
{
    for (unsigned char c : value)
    {
        // Not '~': a shell expands it after '=' or ':' in an assignment.
        if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/' || c == '+' || c == '=' ||
              c == ':' || c == '@' || c == ','))
            return true;
    }
    return value.empty();
}

std::string envLine(const std::string& variable, const std::string& value)
{
    if (!needsQuoting(value))
        return variable + "=" + value + "\n";
    // Single quotes: no expansion in shells or systemd; an embedded quote is
    // closed, escaped and reopened.
    std::string quoted = "'";
    for (char c : value)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return variable + "=" + quoted + "'\n";
}

} // namespace

std::string formatToken(const Token& token, const std::string& format, const std::string& variable,
                        const std::string& profile)
{
    if (format == "raw")
        return token.accessToken + "\n";
    if (format == "env")
        return envLine(variable, token.accessToken);
    if (format == "json")
    {
        Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
        object.set("access_token", token.accessToken);
        object.set("expires_at", static_cast<Poco::Int64>(token.expiresAt));
        object.set("token_type", token.tokenType);
        object.set("profile", profile);
        std::ostringstream out;
        object.stringify(out);
        return out.str() + "\n";
    }
    throw std::invalid_argument("unknown output format '" + format + "'");
}

} // namespace TokenBroker
