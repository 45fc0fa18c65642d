#include "PluginKit.h"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace TokenBroker::Kit {

std::string Response::header(const std::string& lowerCaseName) const
{
    auto it = headers.find(lowerCaseName);
    return it == headers.end() ? std::string() : it->second;
}

Outcome Outcome::token(std::string accessToken, std::int64_t expiresAt)
{
    Outcome outcome;
    outcome.status = TOKENBROKER_OK;
    outcome.accessToken = std::move(accessToken);
    outcome.expiresAt = expiresAt;
    return outcome;
}

Outcome Outcome::failure(tokenbroker_status status, std::string message, std::optional<std::int64_t> retryAfter)
{
    Outcome outcome;
    outcome.status = status;
    outcome.message = std::move(message);
    outcome.retryAfter = retryAfter;
    return outcome;
}

namespace {

std::string stringify(const Poco::JSON::Object& object)
{
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

Poco::JSON::Object::Ptr parseObject(const std::string& text)
{
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

} // namespace

Host::Host(const tokenbroker_host* table)
    : _table(table)
{
}

Response Host::request(const std::string& method, const std::string& path,
                       const std::map<std::string, std::string>& headers, const std::string& body) const
{
    Poco::JSON::Object request;
    request.set("method", method);
    request.set(path.rfind("http", 0) == 0 ? "url" : "path", path);
    Poco::JSON::Object::Ptr headerObject = new Poco::JSON::Object;
    for (const auto& [name, value] : headers)
        headerObject->set(name, value);
    request.set("headers", headerObject);
    request.set("body", body);
    char* raw = nullptr;
    int status = _table->http_request(_table->context, stringify(request).c_str(), &raw);
    std::string text = raw ? raw : "";
    if (raw)
        _table->free_string(raw);
    Poco::JSON::Object::Ptr answer;
    try
    {
        answer = parseObject(text);
    }
    catch (const Poco::Exception&)
    {
        throw TransportFailure("the host returned no HTTP result");
    }
    if (status != TOKENBROKER_OK)
        throw TransportFailure(answer->optValue<std::string>("error", "request failed"));
    Response response;
    response.status = answer->getValue<int>("status");
    response.body = answer->optValue<std::string>("body", "");
    if (auto h = answer->getObject("headers"))
    {
        for (const auto& [name, value] : *h)
            response.headers[name] = value.toString();
    }
    return response;
}

std::int64_t Host::nowMs() const
{
    return _table->now_ms(_table->context);
}

std::string Host::randomBytes(std::size_t count) const
{
    std::string bytes(count, '\0');
    if (_table->random_bytes(_table->context, reinterpret_cast<unsigned char*>(bytes.data()), count) != TOKENBROKER_OK)
        throw std::runtime_error("the host could not provide random bytes");
    return bytes;
}

void Host::log(tokenbroker_log_level level, const std::string& message) const
{
    _table->log(_table->context, level, message.c_str());
}

Poco::JSON::Object::Ptr Host::loadState() const
{
    char* raw = nullptr;
    int status = _table->state_load(_table->context, &raw);
    std::string text = raw ? raw : "{}";
    if (raw)
        _table->free_string(raw);
    if (status != TOKENBROKER_OK)
        throw std::runtime_error("the host could not read the profile's state");
    return parseObject(text);
}

void Host::saveState(const Poco::JSON::Object::Ptr& state) const
{
    if (_table->state_save(_table->context, stringify(*state).c_str()) != TOKENBROKER_OK)
        throw std::runtime_error("the host could not save the profile's state");
}

bool Host::interact(const Poco::JSON::Object& event) const
{
    if (!TOKENBROKER_HAS_FIELD(_table, tokenbroker_host, interact) || !_table->interact)
        return false;
    return _table->interact(_table->context, stringify(event).c_str()) == TOKENBROKER_OK;
}

bool Host::sleep(std::int64_t milliseconds) const
{
    if (!TOKENBROKER_HAS_FIELD(_table, tokenbroker_host, sleep_ms) || !_table->sleep_ms)
        return false;
    return _table->sleep_ms(_table->context, milliseconds) == TOKENBROKER_OK;
}

Host::Redirect Host::awaitRedirect(const std::string& redirectUri, const std::string& authorizeUrl,
                                   const std::string& state, std::int64_t timeoutSeconds) const
{
    Redirect redirect;
    if (!TOKENBROKER_HAS_FIELD(_table, tokenbroker_host, await_redirect) || !_table->await_redirect)
    {
        redirect.failure = Outcome::failure(TOKENBROKER_NEEDS_LOGIN, "this host cannot receive browser redirects");
        return redirect;
    }
    Poco::JSON::Object request;
    request.set("redirect_uri", redirectUri);
    request.set("authorize_url", authorizeUrl);
    request.set("state", state);
    request.set("timeout_seconds", static_cast<Poco::Int64>(timeoutSeconds));
    char* raw = nullptr;
    int status = _table->await_redirect(_table->context, stringify(request).c_str(), &raw);
    std::string text = raw ? raw : "{}";
    if (raw)
        _table->free_string(raw);
    Poco::JSON::Object::Ptr answer = parseObject(text);
    if (status != TOKENBROKER_OK)
    {
        redirect.failure = Outcome::failure(static_cast<tokenbroker_status>(status),
                                            answer->optValue<std::string>("error", "no redirect arrived"));
        return redirect;
    }
    if (auto query = answer->getObject("query"))
    {
        for (const auto& [name, value] : *query)
            redirect.query[name] = value.toString();
    }
    return redirect;
}

Settings::Settings(Poco::JSON::Object::Ptr object)
    : _object(std::move(object))
{
}

bool Settings::has(const std::string& key) const
{
    return _object->has(key) && !_object->isNull(key);
}

std::string Settings::string(const std::string& key) const
{
    if (!has(key))
        throw SettingError(key, "'" + key + "' is required");
    return _object->getValue<std::string>(key);
}

std::string Settings::string(const std::string& key, const std::string& fallback) const
{
    return has(key) ? _object->getValue<std::string>(key) : fallback;
}

bool Settings::boolean(const std::string& key, bool fallback) const
{
    return has(key) ? _object->getValue<bool>(key) : fallback;
}

std::int64_t Settings::integer(const std::string& key, std::int64_t fallback) const
{
    return has(key) ? _object->getValue<Poco::Int64>(key) : fallback;
}

Poco::JSON::Object::Ptr Settings::object(const std::string& key) const
{
    return has(key) ? _object->getObject(key) : nullptr;
}

namespace {

std::string plainValue(const std::string& key, const Poco::Dynamic::Var& value, const char* shape)
{
    if (value.isEmpty() || value.type() == typeid(Poco::JSON::Object::Ptr) ||
        value.type() == typeid(Poco::JSON::Array::Ptr))
        throw SettingError(key, "'" + key + "' must be " + shape + " of plain values");
    return value.toString();
}

} // namespace

std::vector<std::string> Settings::strings(const std::string& key) const
{
    std::vector<std::string> values;
    if (!has(key))
        return values;
    Poco::JSON::Array::Ptr array = _object->getArray(key);
    if (!array)
        throw SettingError(key, "'" + key + "' must be a list");
    for (const auto& value : *array)
        values.push_back(plainValue(key, value, "a list"));
    return values;
}

std::map<std::string, std::string> Settings::stringMap(const std::string& key) const
{
    std::map<std::string, std::string> values;
    if (!has(key))
        return values;
    Poco::JSON::Object::Ptr object = _object->getObject(key);
    if (!object)
        throw SettingError(key, "'" + key + "' must be a mapping");
    for (const auto& [name, value] : *object)
        values[name] = plainValue(key, value, "a mapping");
    return values;
}

std::string base64Url(const std::string& bytes)
{
    std::ostringstream out;
    Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    encoder.rdbuf()->setLineLength(0);
    encoder << bytes;
    encoder.close();
    return out.str();
}

std::string hex(const std::string& bytes)
{
    static const char digits[] = "0123456789abcdef";
    std::string text;
    for (unsigned char c : bytes)
    {
        text += digits[c >> 4];
        text += digits[c & 15];
    }
    return text;
}

// ---- the C ABI glue ------------------------------------------------------

namespace {

FlowFactory g_factory = nullptr;
tokenbroker_plugin g_descriptor;

char* copy(const std::string& text)
{
    char* result = static_cast<char*>(std::malloc(text.size() + 1));
    if (result)
        std::memcpy(result, text.c_str(), text.size() + 1);
    return result;
}

void freeString(char* string)
{
    std::free(string);
}

int create(const char* flow, const char* settingsJson, const tokenbroker_host* table, void** instance,
           char** errorJson)
{
    Poco::JSON::Object error;
    try
    {
        Host host(table);
        Settings settings(parseObject(settingsJson ? settingsJson : "{}"));
        *instance = g_factory(flow ? flow : "", settings, host).release();
        return TOKENBROKER_OK;
    }
    catch (const SettingError& e)
    {
        error.set("key", e.key());
        error.set("message", std::string(e.what()));
    }
    catch (const Poco::Exception& e)
    {
        error.set("message", e.displayText());
    }
    catch (const std::exception& e)
    {
        error.set("message", std::string(e.what()));
    }
    if (errorJson)
        *errorJson = copy(stringify(error));
    return TOKENBROKER_INVALID_SETTINGS;
}

void destroy(void* instance)
{
    delete static_cast<Flow*>(instance);
}

int deliver(const Outcome& outcome, char** resultJson)
{
    Poco::JSON::Object result;
    if (outcome.ok())
    {
        result.set("access_token", outcome.accessToken);
        result.set("expires_at", static_cast<Poco::Int64>(outcome.expiresAt));
        result.set("token_type", "Bearer");
    }
    else
    {
        result.set("message", outcome.message);
        if (outcome.retryAfter)
            result.set("retry_after", static_cast<Poco::Int64>(*outcome.retryAfter));
    }
    *resultJson = copy(stringify(result));
    return outcome.status;
}

template <typename Call>
int guarded(const tokenbroker_host* table, char** resultJson, Call call)
{
    try
    {
        Host host(table);
        return deliver(call(host), resultJson);
    }
    catch (const TransportFailure& e)
    {
        return deliver(Outcome::failure(TOKENBROKER_RETRY, e.what()), resultJson);
    }
    catch (const Poco::Exception& e)
    {
        return deliver(Outcome::failure(TOKENBROKER_FATAL, e.displayText()), resultJson);
    }
    catch (const std::exception& e)
    {
        return deliver(Outcome::failure(TOKENBROKER_FATAL, e.what()), resultJson);
    }
}

int acquire(void* instance, const tokenbroker_host* table, char** resultJson)
{
    return guarded(table, resultJson, [&](Host& host) { return static_cast<Flow*>(instance)->acquire(host); });
}

int refresh(void* instance, const tokenbroker_host* table, char** resultJson)
{
    return guarded(table, resultJson, [&](Host& host) { return static_cast<Flow*>(instance)->refresh(host); });
}

int login(void* instance, const tokenbroker_host* table, char** resultJson)
{
    return guarded(table, resultJson, [&](Host& host) { return static_cast<Flow*>(instance)->login(host); });
}

int describe(void* instance, char** descriptionJson)
{
    try
    {
        *descriptionJson = copy(stringify(*static_cast<Flow*>(instance)->describe()));
        return TOKENBROKER_OK;
    }
    catch (const std::exception&)
    {
        *descriptionJson = copy("{}");
        return TOKENBROKER_FATAL;
    }
}

} // namespace

const tokenbroker_plugin* describePlugin(uint32_t hostAbiVersion, const char* name, const char* version,
                                         const tokenbroker_flow* flows, std::size_t flowCount, FlowFactory factory)
{
    if (hostAbiVersion != TOKENBROKER_PLUGIN_ABI_VERSION)
        return nullptr;
    g_factory = factory;
    g_descriptor.struct_size = sizeof g_descriptor;
    g_descriptor.abi_version = TOKENBROKER_PLUGIN_ABI_VERSION;
    g_descriptor.name = name;
    g_descriptor.version = version;
    g_descriptor.flows = flows;
    g_descriptor.flow_count = flowCount;
    g_descriptor.create = &create;
    g_descriptor.destroy = &destroy;
    g_descriptor.acquire = &acquire;
    g_descriptor.refresh = &refresh;
    g_descriptor.describe = &describe;
    g_descriptor.free_string = &freeString;
    g_descriptor.login = &login;
    // The kit's plugins pass arrays of this header's tokenbroker_flow.
    g_descriptor.flow_struct_size = sizeof(tokenbroker_flow);
    return &g_descriptor;
}

} // namespace TokenBroker::Kit
