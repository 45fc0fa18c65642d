#include "RotationHook.h"

#include "FileSystem.h"
#include "HookProcess.h"

namespace TokenBroker {

std::optional<HookOutcome> runRotationHook(const ProfileSpec& spec, const Token& token, const std::vector<std::unique_ptr<Output>>& outputs,
                     Poco::Logger& logger)
{
    if (spec.onRotate.empty())
        return std::nullopt;
    std::string targets;
    for (const auto& output : outputs)
    {
        targets += (targets.empty() ? "" : std::string(1, pathListSeparator)) + output->target();
    }
    const std::map<std::string, std::string> environment = {
        {"TOKENBROKER_PROFILE", spec.name},
        {"TOKENBROKER_FLOW", spec.flow},
        {"TOKENBROKER_EXPIRES_AT", std::to_string(token.expiresAt)},
        {"TOKENBROKER_OUTPUTS", targets},
    };
    HookResult hook = runHook(spec.onRotate, environment, std::chrono::seconds(spec.onRotateTimeout));
    std::string output = hook.output;
    while (!output.empty() && (output.back() == '\n' || output.back() == '\r'))
        output.pop_back();
    if (!hook.started)
    {
        logger.error("on_rotate: %s", hook.error);
        return HookOutcome::Error;
    }
    if (hook.timedOut)
    {
        logger.error("on_rotate: %s did not finish within %s s and was killed%s", spec.onRotate[0],
                     std::to_string(spec.onRotateTimeout), output.empty() ? std::string() : "; it said: " + output);
        return HookOutcome::TimedOut;
    }
    if (hook.exitStatus != 0)
    {
        logger.error("on_rotate: %s exited with status %d%s", spec.onRotate[0], hook.exitStatus,
                     output.empty() ? std::string() : "; it said: " + output);
        return HookOutcome::Failed;
    }
    logger.information("on_rotate: %s succeeded%s", spec.onRotate[0],
                       output.empty() ? std::string() : "; it said: " + output);
    return HookOutcome::Ok;
}

} // namespace TokenBroker
