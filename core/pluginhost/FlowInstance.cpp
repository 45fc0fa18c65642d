#include "FlowInstance.h"

#include "FatalSignalReport.h"
#include "PrintableText.h"

#include <Poco/JSON/Parser.h>

namespace TokenBroker {

FlowInstance::FlowInstance(PluginRegistry::FlowRef flow, const std::string& settingsJson,
                           std::unique_ptr<ProfileHost> host)
    : _plugin(flow.plugin)
    , _flowName(flow.flow->name)
    , _host(std::move(host))
{
    char* error = nullptr;
    int status = 0;
    {
        const PluginCallScope inPlugin(_plugin->name(), _flowName, _host->profile(), "create");
        status = _plugin->descriptor().create(flow.flow->name.c_str(), settingsJson.c_str(), _host->table(), &_instance,
                                              &error);
    }
    std::string errorText = take(error);
    if (status == TOKENBROKER_OK && _instance)
        return;
    std::string key, message = "the plugin rejected the settings";
    try
    {
        auto object = Poco::JSON::Parser().parse(errorText).extract<Poco::JSON::Object::Ptr>();
        key = object->optValue<std::string>("key", "");
        message = object->optValue<std::string>("message", message);
    }
    catch (const Poco::Exception&)
    {
        if (!errorText.empty())
            message = errorText;
    }
    throw SettingsRejected(printableText(key, 256), printableText(message));
}

FlowInstance::~FlowInstance()
{
    if (_instance)
        _plugin->descriptor().destroy(_instance);
}

std::string FlowInstance::take(char* pluginString)
{
    if (!pluginString)
        return {};
    std::string text(pluginString);
    _plugin->descriptor().free_string(pluginString);
    return text;
}

FlowResult FlowInstance::call(Entry entry, const char* what)
{
    FlowResult result;
    char* raw = nullptr;
    int status = 0;
    {
        const PluginCallScope inPlugin(_plugin->name(), _flowName, _host->profile(), what);
        status = entry(_instance, _host->table(), &raw);
    }
    std::string text = take(raw);
    Poco::JSON::Object::Ptr object;
    try
    {
        object = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
    }
    catch (const Poco::Exception&)
    {
    }
    if (!object)
    {
        result.status = TOKENBROKER_FATAL;
        result.message = std::string("plugin ") + _plugin->name() + " returned no JSON object from " + what;
        return result;
    }
    if (status == TOKENBROKER_OK)
    {
        Poco::Dynamic::Var token = object->get("access_token");
        Poco::Dynamic::Var expires = object->get("expires_at");
        if (!token.isString() || token.extract<std::string>().empty() ||
            !(expires.isEmpty() || expires.isInteger()))
        {
            result.status = TOKENBROKER_FATAL;
            result.message = std::string("plugin ") + _plugin->name() + " returned an invalid token from " + what;
            return result;
        }
        result.status = TOKENBROKER_OK;
        result.token.accessToken = token.extract<std::string>();
        try
        {
            result.token.expiresAt = expires.isEmpty() ? 0 : expires.convert<Poco::Int64>();
        }
        catch (const Poco::Exception&)
        {
            result.status = TOKENBROKER_FATAL;
            result.message = std::string("plugin ") + _plugin->name() + " returned an expiry beyond any clock from " + what;
            return result;
        }
        result.token.tokenType = object->optValue<std::string>("token_type", "Bearer");
        return result;
    }
    switch (status)
    {
    case TOKENBROKER_RETRY:
    case TOKENBROKER_FATAL:
    case TOKENBROKER_NEEDS_LOGIN:
        result.status = static_cast<tokenbroker_status>(status);
        break;
    default:
        result.status = TOKENBROKER_FATAL;
    }
    // The message often quotes the server: it reaches logs and terminals
    // only as printable text.
    result.message = printableText(object->optValue<std::string>("message", std::string(what) + " failed"));
    Poco::Dynamic::Var retryAfter = object->get("retry_after");
    try
    {
        if (retryAfter.isInteger() && retryAfter.convert<Poco::Int64>() > 0)
            result.retryAfter = retryAfter.convert<Poco::Int64>();
    }
    catch (const Poco::Exception&)
    {
        // Beyond Int64: no advice taken; the backoff applies.
    }
    return result;
}

FlowResult FlowInstance::acquire()
{
    return call(_plugin->descriptor().acquire, "acquire");
}

FlowResult FlowInstance::refresh()
{
    return call(_plugin->descriptor().refresh, "refresh");
}

bool FlowInstance::supportsLogin() const
{
    const tokenbroker_plugin* d = &_plugin->descriptor();
    return TOKENBROKER_HAS_FIELD(d, tokenbroker_plugin, login) && d->login;
}

FlowResult FlowInstance::login(LoginInteraction& interaction)
{
    if (!supportsLogin())
    {
        FlowResult result;
        result.message = "flow '" + _flowName + "' has no interactive login (it needs none)";
        return result;
    }
    _host->setInteraction(&interaction);
    FlowResult result = call(_plugin->descriptor().login, "login");
    _host->setInteraction(nullptr);
    return result;
}

std::string FlowInstance::describe()
{
    char* raw = nullptr;
    if (_plugin->descriptor().describe(_instance, &raw) != TOKENBROKER_OK)
    {
        take(raw);
        return "{}";
    }
    std::string text = take(raw);
    // Status pages embed the text as a JSON object: anything else from the
    // plugin is shown as no facts rather than breaking the page.
    try
    {
        if (Poco::JSON::Parser().parse(text).type() == typeid(Poco::JSON::Object::Ptr))
            return text;
    }
    catch (const Poco::Exception&)
    {
    }
    return "{}";
}

} // namespace TokenBroker
