#pragma once

#include "Clock.h"
#include "HttpClient.h"
#include "LoginInteraction.h"
#include "StateStore.h"
#include "StopSignal.h"

#include <tokenbroker/plugin.h>

#include <Poco/Logger.h>

#include <memory>
#include <string>

namespace TokenBroker {

/// The host side of the plugin ABI for one profile: fills a tokenbroker_host
/// table whose functions reach this object's HTTP client (with the profile's
/// base_url, CA and timeouts), clock, logger and state file. Exceptions never
/// cross into the plugin; they become status codes and error JSON.
class ProfileHost
{
public:
    /// `stop` ends sleep_ms at once when the process is stopping.
    ProfileHost(std::string profile, std::string baseUrl, HttpClient http, std::shared_ptr<StateStore> state,
                std::string identity, const Clock& clock, std::shared_ptr<const StopSignal> stop);
    ProfileHost(const ProfileHost&) = delete;
    ProfileHost& operator=(const ProfileHost&) = delete;

    const tokenbroker_host* table() const { return &_table; }
    const std::string& profile() const { return _profile; }
    const std::string& identity() const { return _identity; }

    /// The body of http_request: JSON in, JSON out (see plugin.h).
    int httpRequest(const std::string& requestJson, std::string& responseJson) const;

    /// The person taking part in a login, or nullptr (the daemon): then
    /// interact and await_redirect answer TOKENBROKER_NEEDS_LOGIN.
    void setInteraction(LoginInteraction* interaction) { _interaction = interaction; }

private:
    static ProfileHost& self(void* context) { return *static_cast<ProfileHost*>(context); }
    static char* copy(const std::string& text);

    static void freeString(char* string);
    static int httpRequestEntry(void* context, const char* requestJson, char** responseJson);
    static std::int64_t nowMsEntry(void* context);
    static int randomBytesEntry(void* context, unsigned char* buffer, std::size_t length);
    static void logEntry(void* context, int level, const char* message);
    static int stateLoadEntry(void* context, char** stateJson);
    static int stateSaveEntry(void* context, const char* stateJson);
    static int interactEntry(void* context, const char* eventJson);
    static int sleepMsEntry(void* context, std::int64_t milliseconds);
    static int awaitRedirectEntry(void* context, const char* requestJson, char** responseJson);

    std::string _profile;
    std::string _baseUrl;
    HttpClient _http;
    std::shared_ptr<StateStore> _state;
    std::string _identity;
    const Clock& _clock;
    std::shared_ptr<const StopSignal> _stop;
    Poco::Logger& _logger;
    LoginInteraction* _interaction = nullptr;
    tokenbroker_host _table;
};

} // namespace TokenBroker
