#pragma once

#include "ChildProcess.h"
#include "EmulatorProcess.h"
#include "OAuthWorld.h"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <memory>
#include <string>

namespace TokenBroker::Test::OAuth {

/// `tokenbroker run` on an OAuthWorld whose admin endpoint listens on a free
/// loopback port, and the requests an operator sends it.
class DaemonAdmin
{
public:
    explicit DaemonAdmin(const OAuthWorld& world);

    ChildProcess& process() { return *_daemon; }
    std::string log() const { return _daemon->err(); }
    /// http://127.0.0.1:PORT, once the daemon recorded it (waits up to 10 s).
    const std::string& url() const { return _url; }

    HttpResult get(const std::string& path) const;
    /// POST with the daemon's admin token, or without any (`authorized` false).
    HttpResult post(const std::string& path, bool authorized = true) const;

    /// The /v1/profiles entry of `name`; null when there is none.
    Poco::JSON::Object::Ptr profile(const std::string& name) const;
    std::string status(const std::string& name) const;
    /// The user code of the daemon's device login for `name`, once shown
    /// (waits up to `timeout`; "" when none came).
    std::string waitForUserCode(const std::string& name, std::chrono::milliseconds timeout) const;

private:
    const OAuthWorld& _world;
    std::unique_ptr<ChildProcess> _daemon;
    std::string _url;
};

} // namespace TokenBroker::Test::OAuth
