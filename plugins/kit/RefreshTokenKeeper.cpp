#include "RefreshTokenKeeper.h"

namespace TokenBroker::Kit {

namespace {

const char* const kServerMember = "refresh_token_server";

} // namespace

RefreshTokenKeeper::RefreshTokenKeeper(std::string server)
    : _server(std::move(server))
{
}

bool RefreshTokenKeeper::store(Host& host, const std::string& refreshToken, std::string& error) const
{
    try
    {
        Poco::JSON::Object::Ptr state = host.loadState();
        state->set("refresh_token", refreshToken);
        if (!_server.empty())
            state->set(kServerMember, _server);
        state->set("stored_at", static_cast<Poco::Int64>(host.nowSeconds()));
        host.saveState(state);
        return true;
    }
    catch (const std::exception& e)
    {
        error = e.what();
        return false;
    }
}

std::optional<Outcome> RefreshTokenKeeper::current(Host& host, std::string& refreshToken,
                                                    const std::string& loginHint)
{
    if (_unstored)
    {
        std::string error;
        if (!store(host, *_unstored, error))
            return Outcome::failure(TOKENBROKER_RETRY, "still cannot store the rotated refresh token: " + error);
        refreshToken = *_unstored;
        _unstored.reset();
        return std::nullopt;
    }
    Poco::JSON::Object::Ptr state = host.loadState();
    const bool sameServer = _server.empty() || state->optValue<std::string>(kServerMember, "") == _server;
    refreshToken = sameServer ? state->optValue<std::string>("refresh_token", "") : std::string();
    if (refreshToken.empty())
        return Outcome::failure(TOKENBROKER_NEEDS_LOGIN, "no refresh token stored yet; " + loginHint);
    return std::nullopt;
}

Outcome RefreshTokenKeeper::finish(Host& host, const TokenAnswer& answer, const std::string& loginHint)
{
    // The refresh token first, whatever the rest of the answer is worth: the
    // server has rotated the old one out, so dropping this one with a
    // malformed answer would leave nothing but `tokenbroker login`.
    if (!answer.refreshToken.empty())
    {
        std::string error;
        if (!store(host, answer.refreshToken, error))
        {
            _unstored = answer.refreshToken;
            return Outcome::failure(TOKENBROKER_RETRY, "cannot store the rotated refresh token (" + error +
                                                           "); keeping it in memory and retrying");
        }
        _unstored.reset();
    }
    if (!answer.outcome.ok())
    {
        Outcome failed = answer.outcome;
        if (failed.status == TOKENBROKER_NEEDS_LOGIN)
            failed.message += "; the refresh token is no longer valid, " + loginHint;
        else if (!answer.refreshToken.empty())
            failed.message += "; its new refresh token is stored for the next try";
        return failed;
    }
    return answer.outcome;
}

} // namespace TokenBroker::Kit
