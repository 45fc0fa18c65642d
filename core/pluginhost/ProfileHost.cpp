#include "ProfileHost.h"

#include "PrintableText.h"

#include <Poco/JSON/Parser.h>

#include <openssl/rand.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>

#ifndef TOKENBROKER_VERSION
#define TOKENBROKER_VERSION "0"
#endif

namespace TokenBroker {

ProfileHost::ProfileHost(std::string profile, std::string baseUrl, HttpClient http, std::shared_ptr<StateStore> state,
                         std::string identity, const Clock& clock, std::shared_ptr<const StopSignal> stop)
    : _profile(std::move(profile))
    , _baseUrl(std::move(baseUrl))
    , _http(std::move(http))
    , _state(std::move(state))
    , _identity(std::move(identity))
    , _clock(clock)
    , _stop(std::move(stop))
    , _logger(Poco::Logger::get("tokenbroker.profile." + _profile))
{
    std::memset(&_table, 0, sizeof _table);
    _table.struct_size = sizeof _table;
    _table.abi_version = TOKENBROKER_PLUGIN_ABI_VERSION;
    _table.context = this;
    _table.free_string = &ProfileHost::freeString;
    _table.http_request = &ProfileHost::httpRequestEntry;
    _table.now_ms = &ProfileHost::nowMsEntry;
    _table.random_bytes = &ProfileHost::randomBytesEntry;
    _table.log = &ProfileHost::logEntry;
    _table.state_load = &ProfileHost::stateLoadEntry;
    _table.state_save = &ProfileHost::stateSaveEntry;
    _table.interact = &ProfileHost::interactEntry;
    _table.sleep_ms = &ProfileHost::sleepMsEntry;
    _table.await_redirect = &ProfileHost::awaitRedirectEntry;
}

char* ProfileHost::copy(const std::string& text)
{
    char* result = static_cast<char*>(std::malloc(text.size() + 1));
    if (result)
        std::memcpy(result, text.c_str(), text.size() + 1);
    return result;
}

void ProfileHost::freeString(char* string)
{
    std::free(string);
}

namespace {

std::string errorJson(const std::string& message)
{
    Poco::JSON::Object object;
    object.set("error", message);
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

} // namespace

int ProfileHost::httpRequest(const std::string& requestJson, std::string& responseJson) const
{
    HttpRequest request;
    try
    {
        auto spec = Poco::JSON::Parser().parse(requestJson).extract<Poco::JSON::Object::Ptr>();
        request.method = spec->optValue<std::string>("method", "GET");
        if (spec->has("url"))
            request.url = spec->getValue<std::string>("url");
        else
            request.url = _baseUrl + spec->optValue<std::string>("path", "/");
        if (auto headers = spec->getObject("headers"))
        {
            for (const auto& [name, value] : *headers)
                request.headers[name] = value.toString();
        }
        request.body = spec->optValue<std::string>("body", "");
    }
    catch (const Poco::Exception& e)
    {
        responseJson = errorJson("malformed http_request from plugin: " + e.displayText());
        return TOKENBROKER_FATAL;
    }
    if (!request.headers.count("User-Agent"))
        request.headers["User-Agent"] = std::string("tokenbroker/") + TOKENBROKER_VERSION;
    try
    {
        HttpResponse response = _http.send(request);
        Poco::JSON::Object result;
        result.set("status", response.status);
        Poco::JSON::Object::Ptr headers = new Poco::JSON::Object;
        for (const auto& [name, value] : response.headers)
            headers->set(name, value);
        result.set("headers", headers);
        result.set("body", response.body);
        std::ostringstream out;
        result.stringify(out);
        responseJson = out.str();
        return TOKENBROKER_OK;
    }
    catch (const TransportError& e)
    {
        responseJson = errorJson(e.what());
        return TOKENBROKER_RETRY;
    }
    catch (const std::invalid_argument& e)
    {
        responseJson = errorJson(e.what());
        return TOKENBROKER_FATAL;
    }
}

int ProfileHost::httpRequestEntry(void* context, const char* requestJson, char** responseJson)
{
    std::string response;
    int status = TOKENBROKER_FATAL;
    try
    {
        status = self(context).httpRequest(requestJson ? requestJson : "", response);
    }
    catch (const std::exception& e)
    {
        response = errorJson(e.what());
    }
    if (responseJson)
        *responseJson = copy(response);
    return status;
}

std::int64_t ProfileHost::nowMsEntry(void* context)
{
    return self(context)._clock.nowMs();
}

int ProfileHost::randomBytesEntry(void*, unsigned char* buffer, std::size_t length)
{
    return RAND_bytes(buffer, static_cast<int>(length)) == 1 ? TOKENBROKER_OK : TOKENBROKER_FATAL;
}

void ProfileHost::logEntry(void* context, int level, const char* message)
{
    Poco::Logger& logger = self(context)._logger;
    if (level < Poco::Message::PRIO_FATAL || level > Poco::Message::PRIO_TRACE)
        level = Poco::Message::PRIO_INFORMATION;
    if (logger.is(level))
        logger.log(Poco::Message(logger.name(), printableText(message ? message : ""),
                                 static_cast<Poco::Message::Priority>(level)));
}

int ProfileHost::stateLoadEntry(void* context, char** stateJson)
{
    ProfileHost& host = self(context);
    try
    {
        *stateJson = copy(host._state->loadPluginState(host._profile, host._identity));
        return TOKENBROKER_OK;
    }
    catch (const std::exception& e)
    {
        host._logger.error("cannot read state: %s", std::string(e.what()));
        *stateJson = copy("{}");
        return TOKENBROKER_RETRY;
    }
}

int ProfileHost::stateSaveEntry(void* context, const char* stateJson)
{
    ProfileHost& host = self(context);
    try
    {
        host._state->savePluginState(host._profile, host._identity, stateJson ? stateJson : "{}");
        return TOKENBROKER_OK;
    }
    catch (const std::exception& e)
    {
        host._logger.error("cannot save state: %s", std::string(e.what()));
        return TOKENBROKER_RETRY;
    }
}

} // namespace TokenBroker

namespace TokenBroker {

int ProfileHost::interactEntry(void* context, const char* eventJson)
{
    ProfileHost& host = self(context);
    if (!host._interaction)
        return TOKENBROKER_NEEDS_LOGIN;
    try
    {
        auto event = Poco::JSON::Parser().parse(eventJson ? eventJson : "{}").extract<Poco::JSON::Object::Ptr>();
        host._interaction->show(*event);
        return TOKENBROKER_OK;
    }
    catch (const std::exception& e)
    {
        host._logger.error("cannot show a login step: %s", std::string(e.what()));
        return TOKENBROKER_FATAL;
    }
}

int ProfileHost::sleepMsEntry(void* context, std::int64_t milliseconds)
{
    ProfileHost& host = self(context);
    if (milliseconds <= 0)
        return TOKENBROKER_OK;
    if (host._interaction)
        return host._interaction->sleep(milliseconds) ? TOKENBROKER_OK : TOKENBROKER_RETRY;
    // Capped so a plugin's wild value cannot park a worker for long; a stop
    // ends the sleep at once, as the header promises.
    const auto capped = std::chrono::milliseconds(std::min<std::int64_t>(milliseconds, 60000));
    return host._stop->sleepFor(capped) ? TOKENBROKER_OK : TOKENBROKER_RETRY;
}

int ProfileHost::awaitRedirectEntry(void* context, const char* requestJson, char** responseJson)
{
    ProfileHost& host = self(context);
    Poco::JSON::Object answer;
    int status = TOKENBROKER_FATAL;
    if (!host._interaction)
    {
        answer.set("error", "a browser login needs a person: run tokenbroker login " + host._profile);
        status = TOKENBROKER_NEEDS_LOGIN;
    }
    else
    {
        try
        {
            auto spec = Poco::JSON::Parser().parse(requestJson ? requestJson : "{}").extract<Poco::JSON::Object::Ptr>();
            RedirectRequest request;
            request.redirectUri = spec->getValue<std::string>("redirect_uri");
            request.authorizeUrl = spec->getValue<std::string>("authorize_url");
            request.state = spec->getValue<std::string>("state");
            request.timeoutSeconds = spec->optValue<Poco::Int64>("timeout_seconds", 300);
            Poco::JSON::Object::Ptr query = new Poco::JSON::Object;
            for (const auto& [name, value] : host._interaction->awaitRedirect(request))
                query->set(name, value);
            answer.set("query", query);
            status = TOKENBROKER_OK;
        }
        catch (const LoginError& e)
        {
            answer.set("error", std::string(e.what()));
        }
        catch (const Poco::Exception& e)
        {
            answer.set("error", "malformed await_redirect request: " + e.displayText());
        }
    }
    std::ostringstream out;
    answer.stringify(out);
    if (responseJson)
        *responseJson = copy(out.str());
    return status;
}

} // namespace TokenBroker
