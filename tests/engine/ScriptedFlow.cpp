#include "ScriptedFlow.h"

namespace TokenBroker::Test {

FlowScript::FlowScript(std::string name, const Clock& clock, std::chrono::seconds lifetime)
    : _name(std::move(name))
    , _clock(clock)
    , _lifetime(lifetime)
{
}

void FlowScript::push(FlowResult result)
{
    std::lock_guard<std::mutex> lock(_mutex);
    _queued.push_back(std::move(result));
}

void FlowScript::pushExpiredToken(std::chrono::seconds ago)
{
    FlowResult result;
    result.status = TOKENBROKER_OK;
    result.token.accessToken = _name + "-stale";
    result.token.expiresAt = _clock.nowSeconds() - ago.count();
    push(result);
}

void FlowScript::hold()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _holding = true;
}

void FlowScript::release()
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _holding = false;
    }
    _changed.notify_all();
}

int FlowScript::calls() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _calls;
}

int FlowScript::held() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _held;
}

bool FlowScript::waitForCalls(int n, std::chrono::milliseconds timeout) const
{
    std::unique_lock<std::mutex> lock(_mutex);
    return _changed.wait_for(lock, timeout, [&] { return _calls >= n; });
}

bool FlowScript::waitForHeld(int n, std::chrono::milliseconds timeout) const
{
    std::unique_lock<std::mutex> lock(_mutex);
    return _changed.wait_for(lock, timeout, [&] { return _held >= n; });
}

std::string FlowScript::lastToken() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _lastToken;
}

FlowResult FlowScript::answer()
{
    std::unique_lock<std::mutex> lock(_mutex);
    ++_calls;
    if (_holding)
    {
        ++_held;
        _changed.notify_all();
        _changed.wait(lock, [this] { return !_holding; });
        --_held;
    }
    FlowResult result;
    if (!_queued.empty())
    {
        result = _queued.front();
        _queued.pop_front();
    }
    else
    {
        result.status = TOKENBROKER_OK;
        result.token.accessToken = _name + "-" + std::to_string(_calls);
        result.token.expiresAt = _clock.nowSeconds() + _lifetime.count();
    }
    if (result.ok())
        _lastToken = result.token.accessToken;
    _changed.notify_all();
    return result;
}

} // namespace TokenBroker::Test
