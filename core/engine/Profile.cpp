#include "Profile.h"

#include "AtomicFile.h"
#include "FileLock.h"
#include "RotationHook.h"

namespace TokenBroker {

const char* toString(ProfileStatus status)
{
    switch (status)
    {
    case ProfileStatus::Starting: return "starting";
    case ProfileStatus::Ready: return "ready";
    case ProfileStatus::Retrying: return "retrying";
    case ProfileStatus::Expired: return "expired";
    case ProfileStatus::Failed: return "failed";
    case ProfileStatus::NeedsLogin: return "needs_login";
    }
    return "unknown";
}

Profile::Profile(ProfileSpec spec, std::unique_ptr<FlowInstance> flow, std::vector<std::unique_ptr<Output>> outputs,
                 std::shared_ptr<StateStore> state, std::string settingsDigest, const Clock& clock)
    : _spec(std::move(spec))
    , _flow(std::move(flow))
    , _outputs(std::move(outputs))
    , _state(std::move(state))
    , _settingsDigest(std::move(settingsDigest))
    , _clock(clock)
    , _logger(Poco::Logger::get("tokenbroker.profile." + _spec.name))
    , _description(_flow->describe())
{
}

FlowResult Profile::renew()
{
    std::lock_guard<std::mutex> lock(_renewMutex);
    const bool holdsValidToken = current() && current()->validAt(_clock.nowSeconds());
    FlowResult result = holdsValidToken ? _flow->refresh() : _flow->acquire();
    if (!result.ok())
    {
        ProfileStatus status = result.status == TOKENBROKER_NEEDS_LOGIN ? ProfileStatus::NeedsLogin
                               : result.status == TOKENBROKER_RETRY    ? ProfileStatus::Retrying
                                                                       : ProfileStatus::Failed;
        // A token that expired (or was withdrawn as expired, perhaps while
        // this renewal was under way) stays reported as such until a
        // renewal succeeds, not just until the next failure.
        const auto held = current();
        if (status == ProfileStatus::Retrying &&
            (held ? !held->validAt(_clock.nowSeconds()) : this->status() == ProfileStatus::Expired))
            status = ProfileStatus::Expired;
        setStatus(status, result.message);
        return result;
    }
    return accept(result.token);
}

FlowResult Profile::login(LoginInteraction& interaction)
{
    std::lock_guard<std::mutex> lock(_renewMutex);
    FlowResult result = _flow->login(interaction);
    if (!result.ok())
    {
        setStatus(result.status == TOKENBROKER_RETRY ? ProfileStatus::Retrying : ProfileStatus::NeedsLogin,
                  result.message);
        return result;
    }
    return accept(result.token);
}

FlowResult Profile::accept(Token token)
{
    token.obtainedAt = _clock.nowSeconds();
    FlowResult result = publish(token);
    if (result.ok())
        runRotationHook(_spec, result.token, _outputs, _logger);
    return result;
}

FlowResult Profile::publish(const Token& token)
{
    std::lock_guard<std::mutex> publishing(_publishMutex);
    FlowResult result;
    result.status = TOKENBROKER_OK;
    result.token = token;
    try
    {
        // Under the profile's lock, like the plugin's own state writes: this
        // read-modify-write must not overwrite a refresh token that another
        // process sharing state_dir rotated since our refresh.
        FileLock lock(_flow->host().lockPath());
        _state->saveToken(_spec.name, _flow->host().identity(), token, _settingsDigest);
    }
    catch (const std::exception& e)
    {
        // The token is still good; outputs matter more than the cache.
        _logger.warning("cannot store the token in %s: %s", _state->directory(), std::string(e.what()));
    }
    std::string failures;
    for (const auto& output : _outputs)
    {
        try
        {
            output->publish(token, _spec.name);
        }
        catch (const std::exception& e)
        {
            failures += (failures.empty() ? "" : "; ") + std::string(e.what());
        }
    }
    {
        std::lock_guard<std::mutex> lock(_statusMutex);
        _current = token;
    }
    if (!failures.empty())
    {
        result.status = TOKENBROKER_RETRY;
        result.message = failures;
        setStatus(ProfileStatus::Retrying, failures);
        return result;
    }
    setStatus(ProfileStatus::Ready, "");
    return result;
}

std::optional<Token> Profile::storedToken(bool publishIt)
{
    std::lock_guard<std::mutex> lock(_renewMutex);
    std::optional<Token> token;
    try
    {
        token = _state->loadToken(_spec.name, _flow->host().identity(), _settingsDigest);
    }
    catch (const std::exception& e)
    {
        _logger.warning("cannot read the stored token: %s", std::string(e.what()));
    }
    if (!token || !token->validAt(_clock.nowSeconds()))
        return std::nullopt;
    if (publishIt)
        publish(*token);
    else
    {
        std::lock_guard<std::mutex> statusLock(_statusMutex);
        _current = token;
    }
    return token;
}

bool Profile::expire()
{
    {
        // Not _renewMutex: a renewal may hang in the network for as long as
        // its timeouts allow, and the expired token must go now.
        std::lock_guard<std::mutex> publishing(_publishMutex);
        // The scheduler saw the token expired, but a renewal may have
        // published a fresh one meanwhile: that one must stay.
        if (auto token = current(); token && token->validAt(_clock.nowSeconds()))
            return false;
        withdrawOutputs();
        {
            std::lock_guard<std::mutex> statusLock(_statusMutex);
            _current.reset();
        }
        // Losing the token does not make a profile that waits for a login any
        // less in need of one: status must keep showing what to do.
        setStatus(status() == ProfileStatus::NeedsLogin ? ProfileStatus::NeedsLogin : ProfileStatus::Expired,
                  lastError());
    }
    // The stored copy goes too unless a renewal is under way (it holds the
    // state lock across the network and replaces the copy itself); an
    // expired stored token is never used anyway.
    std::unique_lock<std::mutex> renewing(_renewMutex, std::try_to_lock);
    if (renewing.owns_lock() && !current())
    {
        try
        {
            FileLock lock(_flow->host().lockPath());
            _state->clearToken(_spec.name, _flow->host().identity());
        }
        catch (const std::exception& e)
        {
            _logger.warning("cannot clear the stored token: %s", std::string(e.what()));
        }
    }
    return true;
}

void Profile::withdrawOutputs()
{
    for (const auto& output : _outputs)
    {
        try
        {
            output->withdraw();
        }
        catch (const std::exception& e)
        {
            _logger.error("%s", std::string(e.what()));
        }
    }
}

void Profile::setStatus(ProfileStatus status, const std::string& error)
{
    std::lock_guard<std::mutex> lock(_statusMutex);
    _status = status;
    if (!error.empty() || status == ProfileStatus::Ready)
        _lastError = error;
}

ProfileStatus Profile::status() const
{
    std::lock_guard<std::mutex> lock(_statusMutex);
    return _status;
}

std::optional<Token> Profile::current() const
{
    std::lock_guard<std::mutex> lock(_statusMutex);
    return _current;
}

std::string Profile::lastError() const
{
    std::lock_guard<std::mutex> lock(_statusMutex);
    return _lastError;
}

std::string Profile::describeOutputs() const
{
    std::string text;
    for (const auto& output : _outputs)
        text += (text.empty() ? "" : ", ") + output->describe();
    return text;
}

} // namespace TokenBroker
