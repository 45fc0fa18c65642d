#include "TokenRules.h"

#include <cstdio>

namespace TokenBroker {

namespace {

bool bearerCharacter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '+' || c == '/';
}

/// Offset of the first character that makes `text` no b64token, or npos.
std::size_t firstBadCharacter(const std::string& text)
{
    std::size_t i = 0;
    while (i < text.size() && bearerCharacter(text[i]))
        ++i;
    if (i == 0)
        return 0;
    while (i < text.size() && text[i] == '=')
        ++i;
    return i == text.size() ? std::string::npos : i;
}

std::string describeByte(char c)
{
    char buffer[32];
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n')
        return "a newline";
    if (c == '"' || c == '\'')
        return "a quote";
    if (c == ' ')
        return "a space";
    std::snprintf(buffer, sizeof buffer, "byte 0x%02x", byte);
    return buffer;
}

} // namespace

std::optional<std::string> tokenRefusal(const Token& token, std::int64_t nowSeconds)
{
    if (token.accessToken.empty())
        return "the access token is empty";
    if (token.accessToken.size() > kMaxTokenBytes)
        return "the access token has " + std::to_string(token.accessToken.size()) + " bytes, more than the " +
               std::to_string(kMaxTokenBytes) + " a token may have";
    const std::size_t bad = firstBadCharacter(token.accessToken);
    if (bad != std::string::npos)
        return "the access token has " + describeByte(token.accessToken[bad]) + " at offset " + std::to_string(bad) +
               ", which a bearer token may not contain";
    if (token.tokenType.empty() || token.tokenType.size() > 32 ||
        token.tokenType.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != std::string::npos)
        return "the token type is not a word of up to 32 letters (such as Bearer)";
    if (token.expiresAt < 0)
        return "the expiry " + std::to_string(token.expiresAt) + " is before 1970";
    if (token.expiresAt > 0 && token.expiresAt - nowSeconds > kMaxTokenLifetimeSeconds)
        return "the expiry " + std::to_string(token.expiresAt) + " (Unix seconds) is more than ten years ahead";
    return std::nullopt;
}

} // namespace TokenBroker
