#include "FormEncoding.h"

namespace TokenBroker::Kit {

std::string formEncode(const std::string& text)
{
    static const char* const kHex = "0123456789ABCDEF";
    std::string encoded;
    encoded.reserve(text.size());
    for (const char c : text)
    {
        const auto byte = static_cast<unsigned char>(c);
        const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                                (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' || byte == '~';
        if (unreserved)
        {
            encoded += c;
            continue;
        }
        encoded += '%';
        encoded += kHex[byte >> 4];
        encoded += kHex[byte & 0x0F];
    }
    return encoded;
}

std::string formBody(const FormFields& fields)
{
    std::string body;
    for (const auto& [name, value] : fields)
    {
        if (!body.empty())
            body += '&';
        body += formEncode(name) + "=" + formEncode(value);
    }
    return body;
}

} // namespace TokenBroker::Kit
