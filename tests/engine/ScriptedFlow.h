#pragma once

// A stand-in for a plugin flow in the in-process engine suite: it answers
// from a script, counts calls, and can hold a call (as a hanging server
// would) until the test releases it. The test keeps the FlowScript; the
// Profile owns the ScriptedFlow that reads it.

#include "Flow.h"
#include "ManualClock.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace TokenBroker::Test {

class FlowScript
{
public:
    FlowScript(std::string name, const Clock& clock, std::chrono::seconds lifetime = std::chrono::seconds(100));

    /// Answers queued for the next calls; when none is queued a call
    /// returns a new token "NAME-N" valid for the lifetime.
    void push(FlowResult result);
    /// A token that expired `ago` before the clock's now.
    void pushExpiredToken(std::chrono::seconds ago);

    /// Calls from now on block in the flow until release().
    void hold();
    void release();

    /// Total acquire + refresh calls that returned or are held.
    int calls() const;
    /// Calls currently held.
    int held() const;
    /// Waits until calls() reaches `n`; false after `timeout`.
    bool waitForCalls(int n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
    bool waitForHeld(int n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
    /// The access token of the most recent answer ("" before any).
    std::string lastToken() const;

    FlowResult answer();

private:
    std::string _name;
    const Clock& _clock;
    std::chrono::seconds _lifetime;
    mutable std::mutex _mutex;
    mutable std::condition_variable _changed;
    std::deque<FlowResult> _queued;
    bool _holding = false;
    int _calls = 0;
    int _held = 0;
    std::string _lastToken;
};

/// The Flow a Profile owns; every call is answered by the shared script.
class ScriptedFlow : public Flow
{
public:
    explicit ScriptedFlow(std::shared_ptr<FlowScript> script) : _script(std::move(script)) {}

    FlowResult acquire() override { return _script->answer(); }
    FlowResult refresh() override { return _script->answer(); }
    FlowResult login(LoginInteraction&) override { return _script->answer(); }
    bool supportsLogin() const override { return true; }
    std::string describe() override { return "{\"scripted\": true}"; }

private:
    std::shared_ptr<FlowScript> _script;
};

} // namespace TokenBroker::Test
