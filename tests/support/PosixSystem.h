#pragma once

#include <optional>
#include <string>

namespace TokenBroker::Test {

// POSIX users, permission bits, umask and mounts, for the cases about them.
// On Windows those cases are skipped (TOKENBROKER_SKIP_ON_WINDOWS with
// kPosixPermissions) before any of these is called; the Windows versions
// (PosixSystem_win32.cpp) throw std::logic_error, so a missed skip fails
// loudly instead of passing.

/// The unprivileged user and group of every Debian system.
constexpr unsigned kNobody = 65534;
constexpr unsigned kNogroup = 65534;

/// True when the tests run as root (ownership changes, mounts, permission
/// bits that root ignores). False on Windows.
bool runningAsRoot();

/// The permission bits (07777) of a path; throws if it cannot be read.
unsigned modeOf(const std::string& path);

/// Sets the permission bits (chmod); throws on failure.
void setMode(const std::string& path, unsigned mode);

/// Creates a FIFO (mkfifo); throws on failure.
void makeFifo(const std::string& path, unsigned mode);

/// The numeric owner and group of a path.
struct OwnerIds
{
    unsigned uid = 0;
    unsigned gid = 0;
};
OwnerIds ownerOf(const std::string& path);

/// chown; throws on failure.
void setOwner(const std::string& path, unsigned uid, unsigned gid);

/// Numeric ids of a user or group by name, from the system database.
std::optional<unsigned> userIdOf(const std::string& name);
std::optional<unsigned> groupIdOf(const std::string& name);

/// Sets the process umask for one scope.
class ScopedUmask
{
public:
    explicit ScopedUmask(unsigned mask);
    ~ScopedUmask();
    ScopedUmask(const ScopedUmask&) = delete;
    ScopedUmask& operator=(const ScopedUmask&) = delete;

private:
    unsigned _old = 0;
};

/// Acts as another user (seteuid) for one scope, so permission checks apply
/// to root too; back to root afterwards.
class ScopedEffectiveUser
{
public:
    explicit ScopedEffectiveUser(unsigned uid);
    ~ScopedEffectiveUser();
    ScopedEffectiveUser(const ScopedEffectiveUser&) = delete;
    ScopedEffectiveUser& operator=(const ScopedEffectiveUser&) = delete;
};

/// A tmpfs mounted over `dir` for one scope (needs root); mounted() says
/// whether it worked, so a test can skip where mounting is not allowed.
class ScopedMount
{
public:
    ScopedMount(std::string dir, bool readOnly, const std::string& options);
    ~ScopedMount();
    ScopedMount(const ScopedMount&) = delete;
    ScopedMount& operator=(const ScopedMount&) = delete;

    bool mounted() const { return _mounted; }
    const std::string& error() const { return _error; }

private:
    std::string _dir;
    bool _mounted = false;
    std::string _error;
};

} // namespace TokenBroker::Test
