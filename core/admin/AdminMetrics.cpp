#include "AdminMetrics.h"

#include "AdminServer.h"
#include "BuildInfo.h"

#include <cstdio>
#include <sstream>

namespace TokenBroker {

namespace {

/// A label value: backslash, quote and newline escaped as the format asks.
std::string label(const std::string& value)
{
    std::string out;
    for (char c : value)
    {
        if (c == '\\' || c == '"')
            out += '\\';
        out += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    return out;
}

/// A sample value without the stream's 6 significant digits (a timestamp
/// needs 13).
std::string number(double value)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

/// A bucket bound as people write it: 0.05, 2.5, 120.
std::string bound(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

/// One metric family: HELP and TYPE once, then its samples.
class Family
{
public:
    Family(std::ostringstream& out, const char* name, const char* type, const char* help)
        : _out(out)
        , _name(name)
    {
        _out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
    }

    /// `labels` is the text inside the braces, already escaped; may be empty.
    void sample(const std::string& labels, const std::string& value, const char* suffix = "")
    {
        _out << _name << suffix;
        if (!labels.empty())
            _out << "{" << labels << "}";
        _out << " " << value << "\n";
    }

private:
    std::ostringstream& _out;
    const char* _name;
};

std::string profileLabel(const ProfileView& view)
{
    return "profile=\"" + label(view.name) + "\"";
}

void buildAndProcess(std::ostringstream& out, const ProcessStats& process)
{
    Family(out, "tokenbroker_build_info", "gauge", "The running tokenbroker's version and source revision.")
        .sample("version=\"" + label(TOKENBROKER_VERSION) + "\",revision=\"" + label(buildRevision()) + "\"", "1");
    if (process.startTimeSeconds)
        Family(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.")
            .sample("", number(*process.startTimeSeconds));
    if (process.residentBytes)
        Family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
            .sample("", std::to_string(*process.residentBytes));
    if (process.openDescriptors)
        Family(out, "process_open_fds", "gauge", "Number of open file descriptors (Windows: handles).")
            .sample("", std::to_string(*process.openDescriptors));
}

void reloads(std::ostringstream& out, const DaemonView& daemon)
{
    Family family(out, "tokenbroker_reload_total", "counter",
                  "Configuration reloads by result (failed: the previous configuration ran on).");
    family.sample("result=\"ok\"", std::to_string(daemon.reloadsOk));
    family.sample("result=\"failed\"", std::to_string(daemon.reloadsFailed));
}

void durations(std::ostringstream& out, const std::vector<ProfileView>& views)
{
    Family family(out, "tokenbroker_refresh_duration_seconds", "histogram",
                  "How long renewals took, successful or not (adopting a stored token is none).");
    for (const auto& v : views)
    {
        const std::string profile = profileLabel(v);
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < RefreshDurations::bounds.size(); ++i)
        {
            cumulative += v.durations.counts[i];
            family.sample(profile + ",le=\"" + bound(RefreshDurations::bounds[i]) + "\"", std::to_string(cumulative),
                          "_bucket");
        }
        family.sample(profile + ",le=\"+Inf\"", std::to_string(v.durations.count), "_bucket");
        family.sample(profile, number(v.durations.sumSeconds), "_sum");
        family.sample(profile, std::to_string(v.durations.count), "_count");
    }
}

void hookRuns(std::ostringstream& out, const std::vector<ProfileView>& views)
{
    Family family(out, "tokenbroker_hook_runs_total", "counter",
                  "on_rotate runs by result (failed: non-zero exit; timeout: killed; error: could not be started).");
    for (const auto& v : views)
    {
        const std::string profile = profileLabel(v);
        family.sample(profile + ",result=\"ok\"", std::to_string(v.hookRuns.ok));
        family.sample(profile + ",result=\"failed\"", std::to_string(v.hookRuns.failed));
        family.sample(profile + ",result=\"timeout\"", std::to_string(v.hookRuns.timedOut));
        family.sample(profile + ",result=\"error\"", std::to_string(v.hookRuns.error));
    }
}

} // namespace

std::string profileState(const ProfileView& view)
{
    // Before the first token, the first attempt is `starting`.
    if (view.inFlight && view.status != ProfileStatus::Starting)
        return "refreshing";
    return toString(view.status);
}

const std::vector<std::string>& profileStates()
{
    static const std::vector<std::string> states{"starting", "ready",       "refreshing", "retrying",
                                                 "expired",  "needs_login", "failed"};
    return states;
}

std::string metricsText(const std::vector<ProfileView>& views, const DaemonView& daemon, const ProcessStats& process,
                        std::int64_t now)
{
    std::ostringstream out;
    buildAndProcess(out, process);
    reloads(out, daemon);
    {
        Family family(out, "tokenbroker_profile_ready", "gauge",
                      "1 when the profile holds a valid token and every output has it.");
        for (const auto& v : views)
            family.sample(profileLabel(v), profileReady(v, now) ? "1" : "0");
    }
    {
        Family family(out, "tokenbroker_profile_outputs_current", "gauge",
                      "1 when every output holds the current token, 0 while one cannot be written.");
        for (const auto& v : views)
            family.sample(profileLabel(v), v.outputsCurrent ? "1" : "0");
    }
    {
        Family family(out, "tokenbroker_profile_state", "gauge", "1 for the state the profile is in, 0 for the others.");
        for (const auto& v : views)
        {
            const std::string current = profileState(v);
            for (const auto& state : profileStates())
                family.sample(profileLabel(v) + ",state=\"" + state + "\"", state == current ? "1" : "0");
        }
    }
    {
        // Absent, not 0, for a token that never expires or no token at all:
        // an alert on time() > expiry must not fire for them.
        Family family(out, "tokenbroker_token_expiry_timestamp_seconds", "gauge",
                      "When the current token expires; absent when there is none or it never expires.");
        for (const auto& v : views)
        {
            if (v.hasToken && v.expiresAt > 0)
                family.sample(profileLabel(v), std::to_string(v.expiresAt));
        }
    }
    {
        Family family(out, "tokenbroker_refresh_total", "counter",
                      "Renewals by result (ok includes adopting a valid stored token at start).");
        for (const auto& v : views)
        {
            family.sample(profileLabel(v) + ",result=\"ok\"", std::to_string(v.refreshes));
            family.sample(profileLabel(v) + ",result=\"error\"", std::to_string(v.failures));
        }
    }
    durations(out, views);
    {
        Family family(out, "tokenbroker_last_success_timestamp_seconds", "gauge",
                      "When the last renewal succeeded; absent before the first.");
        for (const auto& v : views)
        {
            if (v.lastSuccessMs > 0)
                family.sample(profileLabel(v), number(static_cast<double>(v.lastSuccessMs) / 1000));
        }
    }
    {
        Family family(out, "tokenbroker_consecutive_failures", "gauge", "Failed renewals since the last success.");
        for (const auto& v : views)
            family.sample(profileLabel(v), std::to_string(v.consecutiveFailures));
    }
    hookRuns(out, views);
    return out.str();
}

} // namespace TokenBroker
