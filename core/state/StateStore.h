#pragma once

#include "Token.h"

#include <Poco/JSON/Object.h>

#include <mutex>
#include <optional>
#include <string>

namespace TokenBroker {

/// Per-profile persistent state under state_dir: one JSON file per profile,
/// 0600 in a 0700 directory, replaced atomically. It holds the plugin's own
/// state (e.g. a refresh token) and the last good access token, tagged with
/// the profile's identity (flow, client_id, base_url): state written under
/// another identity reads as empty, so a changed profile never reuses a
/// stale refresh token. A file that is not valid JSON is moved aside to
/// NAME.json.corrupt rather than overwritten.
///
/// Writes must happen under the profile's lock (state_dir/NAME.lock, see
/// FileLock): they read, modify and replace the whole file, and they clear
/// the temporary files a killed writer left behind.
class StateStore
{
public:
    explicit StateStore(std::string directory);

    const std::string& directory() const { return _directory; }
    std::string pathFor(const std::string& profile) const;

    /// The plugin state as JSON text ("{}" when none).
    std::string loadPluginState(const std::string& profile, const std::string& identity);
    void savePluginState(const std::string& profile, const std::string& identity, const std::string& json);

    /// The stored access token, if it was saved with the same settings digest
    /// (a token obtained with other settings, e.g. a replaced PAT, is stale).
    std::optional<Token> loadToken(const std::string& profile, const std::string& identity,
                                   const std::string& settingsDigest = {});
    void saveToken(const std::string& profile, const std::string& identity, const Token& token,
                   const std::string& settingsDigest = {});
    /// Drops the stored access token (it expired); plugin state stays.
    void clearToken(const std::string& profile, const std::string& identity);

private:
    Poco::JSON::Object::Ptr read(const std::string& profile, const std::string& identity);
    void write(const std::string& profile, const Poco::JSON::Object::Ptr& state);

    std::string _directory;
    std::mutex _mutex;
};

} // namespace TokenBroker
