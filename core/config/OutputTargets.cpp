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

bool inside(const std::string& path, const std::string& directory)
{
    std::string prefix = comparable(Poco::Path(directory).makeDirectory().toString());
    return comparable(path).rfind(prefix, 0) == 0;
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
                const std::string file = ConfigLoader::resolvePath(value.begin()->second.scalar(), profile.baseDirectory);
                sources.emplace(comparable(file), "the " + key + " file of " + whose + " (" + entry.valueLocation.str() + ")");
            }
        }
    }
    const std::string stateDir = config.broker.stateDir;
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
            else if (path != ownEnvFile && inside(output.path, stateDir))
                error("its output " + output.path + " is inside broker.state_dir (" + stateDir +
                      "), which holds tokenbroker's own state");
            else
                sources.emplace(path, "also the output of profile '" + profile.name + "' (" + output.location.str() + ")");
        }
    }
}

} // namespace TokenBroker
