#pragma once

#include <string>

namespace TokenBroker {

/// Marks this thread as inside a plugin's code for its lifetime, so that a
/// crash there names the culprit. The text is composed here, not in the
/// signal handler, which may only copy it out.
class PluginCallScope
{
public:
    PluginCallScope(const std::string& plugin, const std::string& flow, const std::string& profile,
                    const char* call);
    ~PluginCallScope();
    PluginCallScope(const PluginCallScope&) = delete;
    PluginCallScope& operator=(const PluginCallScope&) = delete;
};

/// Installs the process's last words: on a fatal signal (SIGSEGV, SIGBUS,
/// SIGILL, SIGFPE, SIGABRT) or, on Windows, an unhandled exception, inside
/// a PluginCallScope, one line goes to stderr with async-signal-safe calls
/// only ("tokenbroker: fatal SIGSEGV in plugin P (flow F, profile X,
/// acquire); the process dies: remove or fix that plugin"), then the
/// previous handler (a sanitizer's, or the default core dump) runs. Idempotent.
void installFatalSignalReport();

} // namespace TokenBroker
