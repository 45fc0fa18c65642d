#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace TokenBroker::Emulator {

/// One scripted misbehaviour for the next `count` requests to `path`.
struct FaultRule
{
    std::string path;                  ///< exact match on the path (no query)
    std::string method;                ///< empty: any method
    std::optional<int> status;         ///< with `body`: answer this instead
    std::optional<std::string> body;   ///< raw, need not be JSON
    int delayMs = 0;                   ///< before answering (or dropping)
    bool drop = false;                 ///< close the connection, no answer
    bool hang = false;                 ///< never answer; hold the connection until the client leaves
    int trickleMs = 0;                 ///< > 0: headers at once, then the body one byte per trickleMs
    int count = 1;
    std::vector<std::pair<std::string, std::string>> headers; ///< added to the answer
    /// JSON object text merged into the real answer's JSON body (a null
    /// member removes it): the request takes effect for real (a refresh
    /// token is rotated), only what the client reads is corrupted.
    std::optional<std::string> patchBody;

    /// Neither status nor body: delay, headers and body patch only, then the real answer.
    bool replacesAnswer() const { return status.has_value() || body.has_value(); }
};

/// Scripted failures for client tests (timeouts, 5xx, malformed bodies,
/// dropped connections, servers that never answer or answer byte by byte).
/// Thread-safe.
class FaultInjector
{
public:
    /// Parses the JSON list accepted by `POST /_emulator/faults`; throws
    /// std::invalid_argument with the reason.
    static std::vector<FaultRule> parse(const std::string& json);

    void add(std::vector<FaultRule> rules);

    /// The first rule matching the request, with one use consumed.
    std::optional<FaultRule> take(const std::string& method, const std::string& path);

    void clear();

private:
    std::mutex _mutex;
    std::vector<FaultRule> _rules;
};

} // namespace TokenBroker::Emulator
