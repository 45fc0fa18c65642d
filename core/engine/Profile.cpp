#include "Profile.h"
#include "Duration.h"

#include "FileLock.h"
#include "FileSystem.h"
#include "RotationHook.h"
#include "TokenRules.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Timestamp.h>

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

namespace {

FlowResult retryable(std::string message)
{
    FlowResult result;
    result.status = TOKENBROKER_RETRY;
    result.message = std::move(message);
    return result;
}

} // namespace

namespace {

bool saysDeviceLogin(const std::string& description)
{
    // Most flows have no login: their text is not parsed again.
    if (description.find("\"login\"") == std::string::npos)
        return false;
    try
    {
        auto object = Poco::JSON::Parser().parse(description).extract<Poco::JSON::Object::Ptr>();
        return object->optValue<std::string>("login", "") == "device";
    }
    catch (const Poco::Exception&)
    {
        return false;
    }
}

} // namespace

Profile::Profile(ProfileSpec spec, std::unique_ptr<Flow> flow, std::vector<std::unique_ptr<Output>> outputs,
                 std::shared_ptr<StateStore> state, std::string identity, std::string settingsDigest,
                 const Clock& clock, std::chrono::milliseconds lockWait)
    : _spec(std::move(spec))
    , _flow(std::move(flow))
    , _outputs(std::move(outputs))
    , _state(std::move(state))
    , _identity(std::move(identity))
    , _settingsDigest(std::move(settingsDigest))
    , _clock(clock)
    , _lockWait(lockWait)
    , _logger(Poco::Logger::get("tokenbroker.profile." + _spec.name))
    , _description(_flow->describe())
    , _deviceLogin(saysDeviceLogin(_description))
{
}

FlowResult Profile::renew()
{
    std::lock_guard<std::mutex> renewing(_renewMutex);
    const auto held = current();
    const bool holdsValidToken = held && held->validAt(_clock.nowSeconds());
    bool pending = false;
    {
        std::lock_guard<std::mutex> lock(_statusMutex);
        pending = _publishPending;
    }
    if (pending && holdsValidToken)
        return announce(*held);

    FlowResult result;
    try
    {
        // Another process sharing state_dir (a `login`, a `once`) may be
        // using this profile: wait a bounded time, then the plugin reads
        // the state it left. A state file we cannot read is reported as
        // exactly that, never as "nothing stored".
        makePrivateDirectory(_state->directory());
        _state->checkReadable(_spec.name);
        FileLock stateLock(_state->lockPathFor(_spec.name), _lockWait);
        result = holdsValidToken ? _flow->refresh() : _flow->acquire();
        if (result.ok())
            result = store(result);
    }
    catch (const LockBusy& e)
    {
        result = retryable(std::string(e.what()) + " (a tokenbroker login or once?); trying again later");
    }
    catch (const std::exception& e)
    {
        result = retryable(e.what());
    }
    return result.ok() ? announce(result.token) : fail(result);
}

FlowResult Profile::login(LoginInteraction& interaction)
{
    std::lock_guard<std::mutex> renewing(_renewMutex);
    FlowResult result;
    try
    {
        makePrivateDirectory(_state->directory());
        _state->checkReadable(_spec.name);
        // A person is waiting: block until a renewal of another process
        // is done rather than give up.
        FileLock stateLock(_state->lockPathFor(_spec.name));
        result = _flow->login(interaction);
        if (result.ok())
            result = store(result);
    }
    catch (const std::exception& e)
    {
        result = retryable(e.what());
    }
    if (result.ok())
        return announce(result.token);
    setStatus(result.status == TOKENBROKER_RETRY ? ProfileStatus::Retrying : ProfileStatus::NeedsLogin,
              result.message);
    return result;
}

FlowResult Profile::fail(FlowResult result)
{
    ProfileStatus status = result.status == TOKENBROKER_NEEDS_LOGIN ? ProfileStatus::NeedsLogin
                           : result.status == TOKENBROKER_RETRY    ? ProfileStatus::Retrying
                                                                   : ProfileStatus::Failed;
    // A token that expired (or was withdrawn as expired, perhaps while
    // this renewal was under way) stays reported as such until a renewal
    // succeeds, not just until the next failure.
    const auto held = current();
    if (status == ProfileStatus::Retrying &&
        (held ? !held->validAt(_clock.nowSeconds()) : this->status() == ProfileStatus::Expired))
        status = ProfileStatus::Expired;
    setStatus(status, result.message);
    return result;
}

FlowResult Profile::store(FlowResult result)
{
    // Called with the state lock held: the stored copy and the plugin's
    // state (e.g. the refresh token it just rotated) stay consistent.
    Token& token = result.token;
    const std::int64_t now = _clock.nowSeconds();
    token.obtainedAt = now;
    if (auto refusal = tokenRefusal(token, now))
    {
        const std::string message = "refused the token the " + _spec.flow + " flow returned: " + *refusal +
                                    "; nothing was written";
        _logger.warning("%s", message);
        return retryable(message);
    }
    if (token.expires() && token.expiresAt <= now)
    {
        // Publishing it would withdraw it at once and renew again: a tight
        // loop against the server. Back off and say why.
        const std::string message = "the server's token had expired on arrival (expires_at " +
                                    formatUtcTime(token.expiresAt) + " is " + std::to_string(now - token.expiresAt) +
                                    " s before this machine's clock): clock skew? check this machine's time";
        _logger.warning("%s", message);
        return retryable(message);
    }
    try
    {
        _state->saveToken(_spec.name, _identity, token, _settingsDigest);
    }
    catch (const std::exception& e)
    {
        // The token is still good; outputs matter more than the cache.
        _logger.warning("cannot store the token in %s: %s", _state->directory(), std::string(e.what()));
    }
    return result;
}

FlowResult Profile::announce(const Token& token)
{
    FlowResult published = publish(token);
    if (published.ok() && !_retired)
    {
        if (const auto outcome = runRotationHook(_spec, token, _outputs, _logger))
        {
            std::lock_guard<std::mutex> lock(_statusMutex);
            _hookRuns.count(*outcome);
        }
    }
    return published;
}

FlowResult Profile::publish(const Token& token)
{
    std::lock_guard<std::mutex> publishing(_publishMutex);
    FlowResult result;
    result.status = TOKENBROKER_OK;
    result.token = token;
    if (_retired)
        return result;
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
        _publishPending = !failures.empty();
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

std::optional<FlowResult> Profile::adoptStoredToken()
{
    std::lock_guard<std::mutex> renewing(_renewMutex);
    std::optional<Token> token;
    try
    {
        token = _state->loadToken(_spec.name, _identity, _settingsDigest);
    }
    catch (const std::exception& e)
    {
        _logger.warning("cannot read the stored token: %s", std::string(e.what()));
    }
    if (!token || !usable(*token))
        return std::nullopt;
    return publish(*token);
}

std::optional<Token> Profile::peekStoredToken() const
{
    auto token = _state->peekToken(_spec.name, _identity, _settingsDigest);
    if (!token || !usable(*token))
        return std::nullopt;
    return token;
}

bool Profile::usable(const Token& stored) const
{
    // A state file is ours, but it is checked as strictly as an answer.
    const std::int64_t now = _clock.nowSeconds();
    return stored.validAt(now) && !tokenRefusal(stored, now);
}

bool Profile::expire()
{
    std::lock_guard<std::mutex> publishing(_publishMutex);
    // The scheduler saw the token expired, but a renewal may have
    // published a fresh one meanwhile: that one must stay.
    if (auto token = current(); token && token->validAt(_clock.nowSeconds()))
        return false;
    if (!_retired)
        withdrawOutputs();
    {
        std::lock_guard<std::mutex> statusLock(_statusMutex);
        _current.reset();
        _publishPending = false;
    }
    // Losing the token does not make a profile that waits for a login any
    // less in need of one: status must keep showing what to do. The stored
    // copy stays: an expired stored token is never used, and clearing it
    // would need the state lock, which a login may hold for minutes.
    setStatus(status() == ProfileStatus::NeedsLogin ? ProfileStatus::NeedsLogin : ProfileStatus::Expired,
              lastError());
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

bool Profile::outputsCurrent() const
{
    std::lock_guard<std::mutex> lock(_statusMutex);
    return !_publishPending;
}

std::string Profile::lastError() const
{
    std::lock_guard<std::mutex> lock(_statusMutex);
    return _lastError;
}

HookRuns Profile::hookRuns() const
{
    std::lock_guard<std::mutex> lock(_statusMutex);
    return _hookRuns;
}

std::string Profile::describeOutputs() const
{
    std::string text;
    for (const auto& output : _outputs)
        text += (text.empty() ? "" : ", ") + output->describe();
    return text;
}

} // namespace TokenBroker
