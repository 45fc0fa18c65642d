#pragma once

#include <stdexcept>
#include <string>

namespace TokenBroker {

/// A plugin file that must not be loaded, with the reason.
class UntrustedLibrary : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// A shared library loaded only after the very file that gets loaded was
/// judged (PluginTrust.h's rules), so nobody can swap it in between.
///
/// POSIX: the path is walked from "/" one component at a time with openat
/// and O_NOFOLLOW; every directory is judged on its open descriptor (owned
/// by root or this user, not writable by group or others unless sticky), a
/// symbolic link is followed by walking its target the same way, and the
/// file is judged on its descriptor and loaded through /proc/self/fd, then
/// the mapped file is compared with it (device and inode).
/// Windows: the file is opened denying writes and deletion, which also
/// keeps its directories from being renamed, judged by its security
/// descriptor, and loaded while that handle is held.
class TrustedLibrary
{
public:
    /// Throws UntrustedLibrary, or std::runtime_error when the system
    /// cannot load it ("cannot load: ...").
    explicit TrustedLibrary(const std::string& path);
    ~TrustedLibrary();
    TrustedLibrary(const TrustedLibrary&) = delete;
    TrustedLibrary& operator=(const TrustedLibrary&) = delete;

    /// The address of an exported symbol, or nullptr.
    void* symbol(const char* name) const;

private:
    void* _handle = nullptr;
};

} // namespace TokenBroker
