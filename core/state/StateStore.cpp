#include "StateStore.h"

#include "AtomicFile.h"
#include "FileSystem.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>

namespace TokenBroker {

StateStore::StateStore(std::string directory)
    : _directory(std::move(directory))
{
}

std::string StateStore::pathFor(const std::string& profile) const
{
    return _directory + "/" + profile + ".json";
}

std::string StateStore::lockPathFor(const std::string& profile) const
{
    return _directory + "/" + profile + ".lock";
}

std::string StateStore::daemonLockPath() const
{
    return _directory + "/daemon.lock";
}

void StateStore::checkReadable(const std::string& profile) const
{
    readFileIfExists(pathFor(profile));
}

std::optional<std::string> StateStore::readFileIfExists(const std::string& path)
{
    try
    {
        return readWholeFile(path);
    }
    catch (const FileMissing&)
    {
        return std::nullopt;
    }
    catch (const std::exception& e)
    {
        throw StateUnreadable(std::string(e.what()) + " (the daemon's state; check its owner and mode)");
    }
}

Poco::JSON::Object::Ptr StateStore::read(const std::string& profile, const std::string& identity,
                                         OnCorrupt onCorrupt) const
{
    Poco::JSON::Object::Ptr fresh = new Poco::JSON::Object;
    fresh->set("identity", identity);
    const std::string path = pathFor(profile);
    const std::optional<std::string> text = readFileIfExists(path);
    if (!text)
        return fresh;
    try
    {
        auto state = Poco::JSON::Parser().parse(*text).extract<Poco::JSON::Object::Ptr>();
        if (state && state->optValue<std::string>("identity", "") == identity)
            return state;
        return fresh;
    }
    catch (const Poco::Exception&)
    {
        if (onCorrupt == OnCorrupt::MoveAside)
            renameFile(path, path + ".corrupt");
        return fresh;
    }
}

std::mutex& StateStore::mutexFor(const std::string& profile)
{
    return _stripes[std::hash<std::string>{}(profile) % kStripes];
}

void StateStore::removeLeftoverTemporaries(const std::string& fileName)
{
    std::vector<std::string> leftovers;
    {
        std::lock_guard<std::mutex> lock(_leftoversMutex);
        listLeftoversOnce();
        auto found = _leftovers.find(fileName);
        if (found == _leftovers.end())
            return;
        leftovers = std::move(found->second);
        _leftovers.erase(found);
    }
    // Under the profile's lock, which every writer of the file holds: none
    // of these belongs to a write still in progress.
    for (const auto& path : leftovers)
    {
        try
        {
            removeFile(path);
        }
        catch (const std::exception&)
        {
        }
    }
}

void StateStore::listLeftoversOnce()
{
    // One listing per store (at its first write), not one per write: with
    // many profiles a listing at every write made the cost grow with the
    // square of their number. A temporary left after the listing (a
    // process killed meanwhile) goes at the next start or reload.
    if (!_leftoversListed)
    {
        _leftoversListed = true;
        try
        {
            for (Poco::DirectoryIterator it(_directory), end; it != end; ++it)
            {
                // ".NAME.json.tmp.SUFFIX", writeFileAtomically's naming.
                const std::string& name = it.name();
                const auto marker = name.rfind(".tmp.");
                if (name.size() > 1 && name[0] == '.' && marker != std::string::npos && marker > 1)
                    _leftovers[name.substr(1, marker - 1)].push_back(it.path().toString());
            }
        }
        catch (const std::exception&)
        {
            // Leftovers waste a little space; they never block a write.
        }
    }
}

void StateStore::write(const std::string& profile, const Poco::JSON::Object::Ptr& state)
{
    makePrivateDirectory(_directory);
    removeLeftoverTemporaries(profile + ".json");
    std::ostringstream out;
    state->stringify(out);
    writeFileAtomically(pathFor(profile), out.str(), FileAttributes{0600, "", ""}, false);
}

std::string StateStore::loadPluginState(const std::string& profile, const std::string& identity)
{
    std::lock_guard<std::mutex> lock(mutexFor(profile));
    auto state = read(profile, identity, OnCorrupt::MoveAside);
    auto plugin = state->getObject("plugin");
    if (!plugin)
        return "{}";
    std::ostringstream out;
    plugin->stringify(out);
    return out.str();
}

void StateStore::savePluginState(const std::string& profile, const std::string& identity, const std::string& json)
{
    auto plugin = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    std::lock_guard<std::mutex> lock(mutexFor(profile));
    auto state = read(profile, identity, OnCorrupt::MoveAside);
    state->set("plugin", plugin);
    write(profile, state);
}

std::optional<Token> StateStore::loadToken(const std::string& profile, const std::string& identity,
                                          const std::string& settingsDigest)
{
    std::lock_guard<std::mutex> lock(mutexFor(profile));
    return tokenIn(read(profile, identity, OnCorrupt::MoveAside), settingsDigest);
}

std::optional<Token> StateStore::peekToken(const std::string& profile, const std::string& identity,
                                          const std::string& settingsDigest) const
{
    return tokenIn(read(profile, identity, OnCorrupt::Ignore), settingsDigest);
}

std::optional<Token> StateStore::tokenIn(const Poco::JSON::Object::Ptr& state, const std::string& settingsDigest)
{
    auto stored = state->getObject("token");
    if (!stored || stored->optValue<std::string>("settings", "") != settingsDigest)
        return std::nullopt;
    Token token;
    token.accessToken = stored->optValue<std::string>("access_token", "");
    token.expiresAt = stored->optValue<Poco::Int64>("expires_at", 0);
    token.tokenType = stored->optValue<std::string>("token_type", "Bearer");
    token.obtainedAt = stored->optValue<Poco::Int64>("obtained_at", 0);
    if (token.accessToken.empty())
        return std::nullopt;
    return token;
}

void StateStore::saveToken(const std::string& profile, const std::string& identity, const Token& token,
                           const std::string& settingsDigest)
{
    std::lock_guard<std::mutex> lock(mutexFor(profile));
    auto state = read(profile, identity, OnCorrupt::MoveAside);
    Poco::JSON::Object::Ptr stored = new Poco::JSON::Object;
    stored->set("access_token", token.accessToken);
    stored->set("expires_at", static_cast<Poco::Int64>(token.expiresAt));
    stored->set("token_type", token.tokenType);
    stored->set("obtained_at", static_cast<Poco::Int64>(token.obtainedAt));
    stored->set("settings", settingsDigest);
    state->set("token", stored);
    write(profile, state);
}

void StateStore::clearToken(const std::string& profile, const std::string& identity)
{
    std::lock_guard<std::mutex> lock(mutexFor(profile));
    auto state = read(profile, identity, OnCorrupt::MoveAside);
    if (!state->has("token"))
        return;
    state->remove("token");
    write(profile, state);
}

} // namespace TokenBroker
