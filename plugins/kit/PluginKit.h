#pragma once

// C++ conveniences for writing tokenbroker plugins on top of the C ABI in
// <tokenbroker/plugin.h>. The in-tree Coze plugins use it; an out-of-tree
// plugin may use it or speak the C ABI directly.

#include <tokenbroker/plugin.h>

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace TokenBroker::Kit {

/// An HTTP answer as the host reports it.
struct Response
{
    int status = 0;
    std::map<std::string, std::string> headers;  ///< lower-case names
    std::string body;

    std::string header(const std::string& lowerCaseName) const;
};

/// What a flow returns from acquire/refresh.
struct Outcome
{
    tokenbroker_status status = TOKENBROKER_FATAL;
    std::string accessToken;
    std::int64_t expiresAt = 0;
    std::string message;
    std::optional<std::int64_t> retryAfter;

    static Outcome token(std::string accessToken, std::int64_t expiresAt);
    static Outcome failure(tokenbroker_status status, std::string message,
                           std::optional<std::int64_t> retryAfter = std::nullopt);
    bool ok() const { return status == TOKENBROKER_OK; }
};

/// The network failed before any HTTP answer (already classified RETRY).
class TransportFailure : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// The host services table, wrapped.
class Host
{
public:
    explicit Host(const tokenbroker_host* table);

    /// Throws TransportFailure when no answer arrived.
    Response request(const std::string& method, const std::string& path,
                     const std::map<std::string, std::string>& headers = {}, const std::string& body = {}) const;
    std::int64_t nowMs() const;
    std::int64_t nowSeconds() const { return nowMs() / 1000; }
    std::string randomBytes(std::size_t count) const;
    void log(tokenbroker_log_level level, const std::string& message) const;
    Poco::JSON::Object::Ptr loadState() const;
    /// Durable when it returns; throws std::runtime_error if the host could not save.
    void saveState(const Poco::JSON::Object::Ptr& state) const;

    // Interactive login (hosts older than these services answer NEEDS_LOGIN).

    /// Shows a login step to the user; false when nobody can see it (daemon).
    bool interact(const Poco::JSON::Object& event) const;
    /// Sleeps; false when interrupted.
    bool sleep(std::int64_t milliseconds) const;
    /// Receives the browser redirect (see tokenbroker_host::await_redirect);
    /// returns the callback's query parameters or an Outcome failure.
    struct Redirect
    {
        std::map<std::string, std::string> query;
        std::optional<Outcome> failure;
    };
    Redirect awaitRedirect(const std::string& redirectUri, const std::string& authorizeUrl, const std::string& state,
                           std::int64_t timeoutSeconds) const;

private:
    const tokenbroker_host* _table;
};

/// A setting was unusable; the host reports it at the key's YAML position.
class SettingError : public std::runtime_error
{
public:
    SettingError(std::string key, const std::string& message)
        : std::runtime_error(message)
        , _key(std::move(key))
    {
    }
    const std::string& key() const { return _key; }

private:
    std::string _key;
};

/// Typed read access to the settings JSON create() receives.
class Settings
{
public:
    explicit Settings(Poco::JSON::Object::Ptr object);

    bool has(const std::string& key) const;
    std::string string(const std::string& key) const;   ///< throws SettingError if absent
    std::string string(const std::string& key, const std::string& fallback) const;
    bool boolean(const std::string& key, bool fallback) const;
    std::int64_t integer(const std::string& key, std::int64_t fallback) const;
    Poco::JSON::Object::Ptr object(const std::string& key) const;  ///< null if absent
    /// A list of plain values (empty if absent); throws SettingError if an
    /// entry is a list or mapping.
    std::vector<std::string> strings(const std::string& key) const;
    /// A mapping of plain values (empty if absent), as strings; throws
    /// SettingError if a value is a list or mapping.
    std::map<std::string, std::string> stringMap(const std::string& key) const;

private:
    Poco::JSON::Object::Ptr _object;
};

/// A flow instance. The kit's glue turns exceptions into FATAL results.
class Flow
{
public:
    virtual ~Flow() = default;
    virtual Outcome acquire(Host& host) = 0;
    virtual Outcome refresh(Host& host) { return acquire(host); }
    /// The interactive first authorisation; flows that need none say so.
    virtual Outcome login(Host&)
    {
        return Outcome::failure(TOKENBROKER_FATAL, "this flow has no interactive login");
    }
    virtual Poco::JSON::Object::Ptr describe() const { return new Poco::JSON::Object; }
};

/// Builds a Flow for one of the plugin's flow names; throws SettingError.
using FlowFactory = std::unique_ptr<Flow> (*)(const std::string& flow, const Settings& settings, Host& host);

/// Fills and returns the plugin's static descriptor.
const tokenbroker_plugin* describePlugin(uint32_t hostAbiVersion, const char* name, const char* version,
                                         const tokenbroker_flow* flows, std::size_t flowCount, FlowFactory factory);

/// base64url without padding (JWT, PKCE).
std::string base64Url(const std::string& bytes);
/// Lower-case hex.
std::string hex(const std::string& bytes);

} // namespace TokenBroker::Kit

/// Defines the exported entry point of a kit-based plugin.
#define TOKENBROKER_KIT_PLUGIN(NAME, VERSION, FLOWS, FACTORY)                                                     \
    extern "C" TOKENBROKER_PLUGIN_EXPORT const tokenbroker_plugin* tokenbroker_plugin_v1(uint32_t hostAbiVersion) \
    {                                                                                                             \
        return TokenBroker::Kit::describePlugin(hostAbiVersion, NAME, VERSION, FLOWS,                             \
                                                sizeof(FLOWS) / sizeof((FLOWS)[0]), FACTORY);                     \
    }
