#include "FaultInjector.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>
#include <stdexcept>

namespace TokenBroker::Emulator {

namespace {

FaultRule parseRule(const Poco::JSON::Object& object)
{
    FaultRule rule;
    rule.path = object.optValue<std::string>("path", "");
    if (rule.path.empty() || rule.path[0] != '/')
        throw std::invalid_argument("a fault rule needs a path starting with '/'");
    rule.method = object.optValue<std::string>("method", "");
    if (object.has("status") && !object.isNull("status"))
        rule.status = object.getValue<int>("status");
    if (object.has("body") && !object.isNull("body"))
        rule.body = object.getValue<std::string>("body");
    if (rule.body && !rule.status)
        rule.status = 200;
    if (rule.status && (*rule.status < 100 || *rule.status > 599))
        throw std::invalid_argument("status must be 100..599");
    rule.delayMs = object.optValue<int>("delay_ms", 0);
    rule.drop = object.optValue<bool>("drop", false);
    rule.hang = object.optValue<bool>("hang", false);
    rule.trickleMs = object.optValue<int>("trickle_ms", 0);
    rule.count = object.optValue<int>("count", 1);
    if (rule.count < 1 || rule.delayMs < 0 || rule.trickleMs < 0)
        throw std::invalid_argument("count must be >= 1, delay_ms and trickle_ms >= 0");
    if (int(rule.drop) + int(rule.hang) + int(rule.trickleMs > 0) > 1)
        throw std::invalid_argument("drop, hang and trickle_ms exclude each other");
    if (rule.hang && rule.replacesAnswer())
        throw std::invalid_argument("hang sends no answer: status and body make no sense with it");
    if (object.has("patch_body") && !object.isNull("patch_body"))
    {
        Poco::JSON::Object::Ptr patch = object.getObject("patch_body");
        if (!patch)
            throw std::invalid_argument("patch_body must be a JSON object");
        if (rule.replacesAnswer())
            throw std::invalid_argument("patch_body patches the real answer: it cannot go with status or body");
        std::ostringstream text;
        patch->stringify(text);
        rule.patchBody = text.str();
    }
    if (auto headers = object.getObject("headers"))
        for (const auto& [name, value] : *headers)
            rule.headers.emplace_back(name, value.convert<std::string>());
    return rule;
}

} // namespace

std::vector<FaultRule> FaultInjector::parse(const std::string& json)
{
    Poco::Dynamic::Var parsed;
    try
    {
        parsed = Poco::JSON::Parser().parse(json);
    }
    catch (const Poco::Exception& e)
    {
        throw std::invalid_argument("faults body is not JSON: " + e.displayText());
    }
    if (parsed.type() != typeid(Poco::JSON::Array::Ptr))
        throw std::invalid_argument("faults body must be a JSON list of rules");
    std::vector<FaultRule> rules;
    for (const auto& item : *parsed.extract<Poco::JSON::Array::Ptr>())
    {
        if (item.type() != typeid(Poco::JSON::Object::Ptr))
            throw std::invalid_argument("each fault rule must be a JSON object");
        try
        {
            rules.push_back(parseRule(*item.extract<Poco::JSON::Object::Ptr>()));
        }
        catch (const Poco::Exception& e)
        {
            throw std::invalid_argument("bad fault rule: " + e.displayText());
        }
    }
    return rules;
}

void FaultInjector::add(std::vector<FaultRule> rules)
{
    std::lock_guard<std::mutex> lock(_mutex);
    for (auto& rule : rules)
        _rules.push_back(std::move(rule));
}

std::optional<FaultRule> FaultInjector::take(const std::string& method, const std::string& path)
{
    std::lock_guard<std::mutex> lock(_mutex);
    for (auto it = _rules.begin(); it != _rules.end(); ++it)
    {
        if (it->path != path || (!it->method.empty() && it->method != method))
            continue;
        FaultRule taken = *it;
        if (--it->count == 0)
            _rules.erase(it);
        return taken;
    }
    return std::nullopt;
}

void FaultInjector::clear()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _rules.clear();
}

} // namespace TokenBroker::Emulator
