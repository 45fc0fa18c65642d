#include "DaemonLogins.h"

#include "Clock.h"
#include "LoginInteraction.h"
#include "ProfileLog.h"

namespace TokenBroker {

/// The person is not at this process: the device code goes to the prompt
/// and the log, waits end with the daemon, and a browser callback is
/// refused.
class DaemonLogins::Interaction : public LoginInteraction
{
public:
    Interaction(DaemonLogins& owner, std::string name)
        : _owner(owner)
        , _name(std::move(name))
    {
    }

    void show(const Poco::JSON::Object& event) override
    {
        if (event.optValue<std::string>("kind", "") != "device_code")
            return;
        const std::string uri = event.optValue<std::string>("verification_uri", "");
        const std::string code = event.optValue<std::string>("user_code", "");
        const std::int64_t expiresIn = event.optValue<Poco::Int64>("expires_in", 0);
        _owner.update(_name, [&](LoginPrompt& prompt) {
            prompt.verificationUri = uri;
            prompt.userCode = code;
            prompt.expiresAt = expiresIn > 0 ? Clock::system().nowSeconds() + expiresIn : 0;
        });
        logAboutProfile(_owner._logger, Poco::Message::PRIO_NOTICE, _name, {{"result", "login_pending"}},
                        "device login: open %s and enter the code %s (valid %s s)", uri, code,
                        std::to_string(expiresIn));
    }

    bool sleep(std::int64_t milliseconds) override
    {
        return _owner._stop->sleepFor(std::chrono::milliseconds(milliseconds));
    }

    std::map<std::string, std::string> awaitRedirect(const RedirectRequest&) override
    {
        throw LoginError("this flow needs a browser redirect to this machine: run tokenbroker login " + _name +
                         " at a terminal");
    }

private:
    DaemonLogins& _owner;
    std::string _name;
};

DaemonLogins::DaemonLogins(std::shared_ptr<const StopSignal> stop, Poco::Logger& logger)
    : _stop(std::move(stop))
    , _logger(logger)
{
}

DaemonLogins::~DaemonLogins()
{
    join();
}

bool DaemonLogins::start(const std::shared_ptr<Profile>& profile, Done done)
{
    std::lock_guard<std::mutex> lock(_mutex);
    Entry& entry = _logins[profile->name()];
    if (entry.prompt.running)
        return false;
    if (entry.thread.joinable())
        entry.thread.join();  // the previous login, already ended
    entry.prompt = LoginPrompt{};
    entry.prompt.running = true;
    entry.thread = std::thread(&DaemonLogins::run, this, profile, std::move(done));
    return true;
}

void DaemonLogins::run(std::shared_ptr<Profile> profile, Done done)
{
    const std::string name = profile->name();
    logAboutProfile(_logger, Poco::Message::PRIO_NOTICE, name, {{"result", "login_started"}},
                    "starting a device login");
    Interaction interaction(*this, name);
    const FlowResult result = profile->login(interaction);
    if (result.ok())
    {
        logAboutProfile(_logger, Poco::Message::PRIO_NOTICE, name, {{"result", "logged_in"}}, "device login done");
        done(profile, result);
    }
    else
        logAboutProfile(_logger, Poco::Message::PRIO_ERROR, name, {{"result", "login_failed"}},
                        "device login failed: %s", result.message);
    update(name, [&](LoginPrompt& prompt) {
        prompt.running = false;
        prompt.error = result.ok() ? std::string() : result.message;
    });
    _ended.notify_all();
}

void DaemonLogins::update(const std::string& name, const std::function<void(LoginPrompt&)>& change)
{
    std::lock_guard<std::mutex> lock(_mutex);
    change(_logins[name].prompt);
}

std::optional<LoginPrompt> DaemonLogins::prompt(const std::string& name) const
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _logins.find(name);
    if (it == _logins.end())
        return std::nullopt;
    return it->second.prompt;
}

std::size_t DaemonLogins::wait(std::chrono::milliseconds grace)
{
    std::unique_lock<std::mutex> lock(_mutex);
    auto running = [this] {
        std::size_t n = 0;
        for (const auto& [name, entry] : _logins)
            n += entry.prompt.running ? 1 : 0;
        return n;
    };
    _ended.wait_for(lock, grace, [&] { return running() == 0; });
    return running();
}

void DaemonLogins::join()
{
    std::map<std::string, Entry> logins;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        for (auto& [name, entry] : _logins)
        {
            if (entry.thread.joinable())
                logins[name].thread = std::move(entry.thread);
        }
    }
    for (auto& [name, entry] : logins)
        entry.thread.join();
}

} // namespace TokenBroker
