#include "OutputTargets.h"

#include "ConfigLoader.h"

#include <Poco/Path.h>
#include <Poco/String.h>

#include <map>

namespace TokenBroker {

namespace {

/// The form paths are compared in: normalised, and on Windows without case.
std::string comparable(const std::string& path)
{
    std::string text = Poco::Path(path).toString();
#ifdef _WIN32
    text = Poco::toLower(text);
#endif
    return text;
}

/// The comparable form of `directory` with its trailing separator, for
/// "is this comparable path inside it".
std::string directoryPrefix(const std::string& directory)
{
    return comparable(Poco::Path(directory).makeDirectory().toString());
}

/// On Windows an env output sets a registry value, not a file.
bool writesAFile(const OutputSpec& output)
{
#ifdef _WIN32
    return output.kind == OutputSpec::Kind::File;
#else
    (void)output;
    return true;
#endif
}

} // namespace

void checkOutputTargets(Config& config, const std::string& configFile)
{
    // What each path already is, for the message.
    std::map<std::string, std::string> sources;
    if (!configFile.empty())
        sources[comparable(configFile)] = "the configuration file itself";
    for (const auto& profile : config.profiles)
    {
        const std::string whose = "profile '" + profile.name + "'";
        if (!profile.caFile.empty())
            sources.emplace(comparable(profile.caFile), "the ca_file of " + whose);
        for (const auto& [key, entry] : profile.settings)
        {
            const ConfigNode& value = entry.value;
            if (value.isMap() && value.size() == 1 && value.begin()->first.isScalar() &&
                value.begin()->first.scalar() == "file" && value.begin()->second.isScalar())
            {
                // Many profiles may share one key file: the first names it.
                const std::string file = ConfigLoader::resolvePath(value.begin()->second.scalar(), profile.baseDirectory);
                if (auto [it, added] = sources.try_emplace(comparable(file)); added)
                    it->second = "the " + key + " file of " + whose + " (" + entry.valueLocation.str() + ")";
            }
        }
    }
    const std::string stateDir = config.broker.stateDir;
    const std::string stateDirPrefix = directoryPrefix(stateDir);
    for (const auto& profile : config.profiles)
    {
        const std::string ownEnvFile =
            comparable(Poco::Path(Poco::Path(stateDir).makeDirectory(), profile.name + ".env").toString());
        for (const auto& output : profile.outputs)
        {
            if (output.path.empty() || !writesAFile(output))
                continue;
            const std::string path = comparable(output.path);
            auto error = [&](const std::string& message) {
                config.errors.emplace_back(output.location, "profile '" + profile.name + "': " + message);
            };
            if (auto it = sources.find(path); it != sources.end())
                error("its output " + output.path + " is " + it->second + "; an output must be a file of its own");
            else if (path != ownEnvFile && path.rfind(stateDirPrefix, 0) == 0)
                error("its output " + output.path + " is inside broker.state_dir (" + stateDir +
                      "), which holds tokenbroker's own state");
            else
                sources.emplace(path, "also the output of profile '" + profile.name + "' (" + output.location.str() + ")");
        }
    }
}

} // namespace TokenBroker
