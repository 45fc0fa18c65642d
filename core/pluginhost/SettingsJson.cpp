#include "SettingsJson.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSONString.h>

#include <sstream>

namespace TokenBroker {

namespace {

void append(const Poco::Dynamic::Var& value, int options, std::string& out);

/// Poco writes a string through Poco::toJSON. Printable ASCII and the
/// common control characters are escaped here as Poco escapes them (the
/// test holds the two together); any other byte, or the escape-everything
/// option (which escapes '/' as well), hands the whole string to Poco.
void appendString(const std::string& text, int options, std::string& out)
{
    if (options & Poco::JSON_ESCAPE_UNICODE)
    {
        out += Poco::toJSON(text, options);
        return;
    }
    const std::size_t start = out.size();
    out += '"';
    for (const char c : text)
    {
        switch (c)
        {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\n': out += "\\n"; continue;
        case '\t': out += "\\t"; continue;
        case '\r': out += "\\r"; continue;
        case '\b': out += "\\b"; continue;
        case '\f': out += "\\f"; continue;
        default: break;
        }
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f)
        {
            out.resize(start);
            out += Poco::toJSON(text, options);
            return;
        }
        out += c;
    }
    out += '"';
}

void appendObject(const Poco::JSON::Object& object, int options, std::string& out)
{
    Poco::JSON::Object::NameList names;
    object.getNames(names);  // in the order stringify writes them
    out += '{';
    bool first = true;
    for (const auto& name : names)
    {
        if (!first)
            out += ',';
        first = false;
        appendString(name, options, out);
        out += ':';
        append(object.get(name), options, out);
    }
    out += '}';
}

void appendArray(const Poco::JSON::Array& array, int options, std::string& out)
{
    out += '[';
    for (std::size_t i = 0; i < array.size(); ++i)
    {
        if (i != 0)
            out += ',';
        append(array.get(static_cast<unsigned int>(i)), options, out);
    }
    out += ']';
}

void append(const Poco::Dynamic::Var& value, int options, std::string& out)
{
    const std::type_info& type = value.type();
    if (type == typeid(Poco::JSON::Object::Ptr))
        appendObject(*value.extract<Poco::JSON::Object::Ptr>(), options, out);
    else if (type == typeid(Poco::JSON::Array::Ptr))
        appendArray(*value.extract<Poco::JSON::Array::Ptr>(), options, out);
    else if (value.isEmpty())
        out += "null";
    else if (type == typeid(std::string))
        appendString(value.extract<std::string>(), options, out);
    else if (type == typeid(bool))
        out += value.extract<bool>() ? "true" : "false";
    else if (type == typeid(Poco::Int64))
        out += std::to_string(value.extract<Poco::Int64>());
    else
    {
        // Anything else the binder never makes: Poco's own writer.
        std::ostringstream text;
        Poco::JSON::Stringifier::stringify(value, text, 0, -1, options);
        out += text.str();
    }
}

} // namespace

std::string settingsJson(const Poco::JSON::Object& settings)
{
    std::string out;
    out.reserve(256);
    // The options Object::stringify passes down.
    const int options = Poco::JSON_WRAP_STRINGS | (settings.getEscapeUnicode() ? Poco::JSON_ESCAPE_UNICODE : 0);
    appendObject(settings, options, out);
    return out;
}

} // namespace TokenBroker
