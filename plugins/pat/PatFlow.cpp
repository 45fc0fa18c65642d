// `pat`: Coze personal and service access tokens. Nothing is exchanged: the
// configured token is published as it is, optionally checked first with
// GET /v1/users/me (coze-oauth.md §3.1).

#include "CozeProtocol.h"
#include "PluginKit.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>

namespace {

using namespace TokenBroker::Kit;

const char* const kSchema = R"json({
  "token":      {"type": "secret", "required": true, "env": "COZE_API_TOKEN",
                 "summary": "the PAT or SAT: literal, {file: PATH} or {env: NAME}"},
  "verify":     {"type": "boolean", "summary": "check the token with GET /v1/users/me (default false)"},
  "expires_at": {"type": "string", "summary": "when the token expires: Unix seconds or ISO 8601 (e.g. 2026-12-31T00:00:00Z)"}
})json";

std::int64_t parseExpiry(const std::string& text, std::int64_t nowSeconds)
{
    std::int64_t expiresAt = 0;
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos && text.size() <= 12)
        expiresAt = std::stoll(text);
    else
    {
        int zone = 0;
        Poco::DateTime parsed;
        if (text.size() > 64 || !Poco::DateTimeParser::tryParse(text, parsed, zone))
            throw SettingError("expires_at",
                               "'expires_at' must be Unix seconds or an ISO 8601 date, e.g. 2026-12-31T00:00:00Z");
        expiresAt = parsed.timestamp().epochTime() - zone;
    }
    // The host refuses expiries further out than this (TokenRules.h); say
    // so at `check` rather than at the first renewal.
    if (expiresAt - nowSeconds > Coze::kMaxLifetimeSeconds)
        throw SettingError("expires_at", "'expires_at' is more than ten years ahead; leave it out for a token that "
                                         "does not expire");
    return expiresAt;
}

class PatFlow : public Flow
{
public:
    PatFlow(const Settings& settings, std::int64_t nowSeconds)
        : _token(settings.string("token"))
        , _verify(settings.boolean("verify", false))
        , _expiresAt(settings.has("expires_at") ? parseExpiry(settings.string("expires_at"), nowSeconds) : 0)
    {
        if (_token.find_first_of(" \t\r\n") != std::string::npos)
            throw SettingError("token", "'token' contains white space; check the file or variable it comes from");
    }

    Outcome acquire(Host& host) override
    {
        if (_expiresAt != 0 && host.nowSeconds() >= _expiresAt)
            return Outcome::failure(TOKENBROKER_FATAL, "the token expired at " + Poco::DateTimeFormatter::format(
                                                           Poco::Timestamp::fromEpochTime(_expiresAt), "%Y-%m-%dT%H:%M:%SZ") +
                                                           "; create a new one and update the configuration");
        if (_verify)
        {
            Outcome check = Coze::checkOpenApiAnswer(host.request("GET", "/v1/users/me", Coze::jsonHeaders(_token)));
            if (!check.ok())
            {
                check.message = "token check failed: " + check.message;
                return check;
            }
        }
        return Outcome::token(_token, _expiresAt);
    }

    Poco::JSON::Object::Ptr describe() const override
    {
        Poco::JSON::Object::Ptr description = new Poco::JSON::Object;
        description->set("verify", _verify);
        description->set("expires_at", static_cast<Poco::Int64>(_expiresAt));
        return description;
    }

private:
    std::string _token;
    bool _verify;
    std::int64_t _expiresAt;
};

std::unique_ptr<Flow> createFlow(const std::string&, const Settings& settings, Host& host)
{
    return std::make_unique<PatFlow>(settings, host.nowSeconds());
}

const tokenbroker_flow kFlows[] = {
    {"pat", "Coze personal/service access token, published as is", kSchema},
};

} // namespace

TOKENBROKER_KIT_PLUGIN("coze-pat", TOKENBROKER_VERSION, kFlows, &createFlow)
