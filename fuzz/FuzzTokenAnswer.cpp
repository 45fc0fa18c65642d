// A token endpoint's answer, as hostile as it likes: the first byte picks
// the HTTP status, the rest is the body. Whatever it is, the answer is an
// outcome, and a token is only ever one with a future, bounded expiry.
#include "CozeProtocol.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace TokenBroker::Kit;
    if (size == 0)
        return 0;
    static const int statuses[] = {200, 201, 204, 301, 302, 400, 401, 403, 404, 408, 429, 500, 502, 503};
    Response response;
    response.status = statuses[data[0] % (sizeof statuses / sizeof statuses[0])];
    response.headers["retry-after"] = (data[0] & 0x80) ? "30" : "";
    response.headers["location"] = "http://portal.example/";
    response.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::int64_t now = 1800000000;
    const Coze::TokenAnswer answer = Coze::parseTokenAnswer(response, now);
    if (answer.outcome.ok() &&
        (answer.outcome.accessToken.empty() || answer.outcome.expiresAt <= now ||
         answer.outcome.expiresAt - now > Coze::kMaxLifetimeSeconds))
        __builtin_trap();
    Coze::checkOpenApiAnswer(response);
    return 0;
}
