#include "JwtClaims.h"

#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace TokenBroker::Kit {

namespace {

std::optional<std::string> base64UrlDecode(std::string text)
{
    for (char& c : text)
    {
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (!std::isalnum(static_cast<unsigned char>(c)))
            return std::nullopt;
    }
    text.append((4 - text.size() % 4) % 4, '=');
    try
    {
        std::istringstream in(text);
        Poco::Base64Decoder decoder(in);
        std::string decoded((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
        return decoded;
    }
    catch (const Poco::Exception&)
    {
        return std::nullopt;
    }
}

} // namespace

Poco::JSON::Object::Ptr unverifiedJwtClaims(const std::string& token)
{
    const std::size_t first = token.find('.');
    const std::size_t second = first == std::string::npos ? first : token.find('.', first + 1);
    if (second == std::string::npos || token.find('.', second + 1) != std::string::npos)
        return nullptr;
    const auto payload = base64UrlDecode(token.substr(first + 1, second - first - 1));
    if (!payload)
        return nullptr;
    try
    {
        auto value = Poco::JSON::Parser().parse(*payload);
        if (value.type() == typeid(Poco::JSON::Object::Ptr))
            return value.extract<Poco::JSON::Object::Ptr>();
    }
    catch (const Poco::Exception&)
    {
    }
    return nullptr;
}

std::optional<std::int64_t> unverifiedJwtExpiry(const std::string& token)
{
    Poco::JSON::Object::Ptr claims = unverifiedJwtClaims(token);
    if (!claims)
        return std::nullopt;
    const Poco::Dynamic::Var exp = claims->get("exp");
    if (!exp.isInteger())
        return std::nullopt;
    try
    {
        return exp.convert<Poco::Int64>();
    }
    catch (const Poco::Exception&)
    {
        return std::nullopt;
    }
}

} // namespace TokenBroker::Kit
