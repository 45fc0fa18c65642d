#pragma once

#include <cstdint>
#include <string>

namespace TokenBroker {

/// An access token as published to outputs.
struct Token
{
    std::string accessToken;
    std::int64_t expiresAt = 0;   ///< Unix seconds; 0 = does not expire
    std::string tokenType = "Bearer";
    std::int64_t obtainedAt = 0;  ///< Unix seconds

    bool expires() const { return expiresAt != 0; }
    bool validAt(std::int64_t nowSeconds) const { return !accessToken.empty() && (!expires() || nowSeconds < expiresAt); }
};

} // namespace TokenBroker
