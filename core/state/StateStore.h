#pragma once

#include "Token.h"

#include <Poco/JSON/Object.h>

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace TokenBroker {

/// Per-profile persistent state under state_dir: one JSON file per profile,
/// 0600 in a 0700 directory, replaced atomically. It holds the plugin's own
/// state (e.g. a refresh token) and the last good access token, tagged with
/// the profile's identity (flow, client_id, base_url): state written under
/// another identity reads as empty, so a changed profile never reuses a
/// stale refresh token. A file that is not valid JSON is moved aside to
/// NAME.json.corrupt rather than overwritten.
///
/// Writes must happen under the profile's lock (lockPathFor(), see
/// FileLock): they read, modify and replace the whole file, and they clear
/// the temporary files a killed writer left behind.
///
/// A file that exists but cannot be read (permission, I/O) throws
/// StateUnreadable naming the path and the reason: it is never mistaken for
/// "nothing stored yet".
class StateUnreadable : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

class StateStore
{
public:
    explicit StateStore(std::string directory);

    const std::string& directory() const { return _directory; }
    std::string pathFor(const std::string& profile) const;
    /// The file whose lock serialises this profile's plugin calls and state
    /// writes across processes.
    std::string lockPathFor(const std::string& profile) const;
    /// Where the running daemon holds its lock (one daemon per state_dir).
    std::string daemonLockPath() const;

    /// Throws StateUnreadable when the profile's file exists but cannot be
    /// read; a missing file is fine (nothing stored yet).
    void checkReadable(const std::string& profile) const;

    /// The plugin state as JSON text ("{}" when none).
    std::string loadPluginState(const std::string& profile, const std::string& identity);
    void savePluginState(const std::string& profile, const std::string& identity, const std::string& json);

    /// The stored access token, if it was saved with the same settings digest
    /// (a token obtained with other settings, e.g. a replaced PAT, is stale).
    std::optional<Token> loadToken(const std::string& profile, const std::string& identity,
                                   const std::string& settingsDigest = {});
    /// loadToken() for a reader that must change nothing (tokenbroker
    /// token): a corrupt file is not moved aside, just read as empty.
    std::optional<Token> peekToken(const std::string& profile, const std::string& identity,
                                   const std::string& settingsDigest) const;
    void saveToken(const std::string& profile, const std::string& identity, const Token& token,
                   const std::string& settingsDigest = {});
    /// Drops the stored access token (it expired); plugin state stays.
    void clearToken(const std::string& profile, const std::string& identity);

private:
    enum class OnCorrupt { MoveAside, Ignore };
    Poco::JSON::Object::Ptr read(const std::string& profile, const std::string& identity, OnCorrupt onCorrupt) const;
    void write(const std::string& profile, const Poco::JSON::Object::Ptr& state);
    static std::optional<std::string> readFileIfExists(const std::string& path);
    static std::optional<Token> tokenIn(const Poco::JSON::Object::Ptr& state, const std::string& settingsDigest);
    /// Removes the temporaries of `fileName` that a killed writer left
    /// (found by one listing of the directory per store); under the lock.
    void removeLeftoverTemporaries(const std::string& fileName);
    /// Lists the directory for leftovers at the first call; under _leftoversMutex.
    void listLeftoversOnce();

    /// The mutex that serialises this process's reads and writes of
    /// `profile`: one of a fixed set, so that profiles write concurrently
    /// (and share their directory syncs) without a mutex each.
    std::mutex& mutexFor(const std::string& profile);

    static constexpr std::size_t kStripes = 64;

    std::string _directory;
    std::array<std::mutex, kStripes> _stripes;
    std::mutex _leftoversMutex;
    bool _leftoversListed = false;
    std::map<std::string, std::vector<std::string>> _leftovers;  ///< state file name -> its temporaries
};

} // namespace TokenBroker
