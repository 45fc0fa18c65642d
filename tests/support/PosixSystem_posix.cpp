#include "PosixSystem.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <grp.h>
#include <pwd.h>
#include <stdexcept>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace TokenBroker::Test {

namespace {

struct stat statOf(const std::string& path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw std::runtime_error("cannot stat " + path + ": " + std::strerror(errno));
    return st;
}

} // namespace

bool runningAsRoot()
{
    return ::geteuid() == 0;
}

unsigned modeOf(const std::string& path)
{
    return statOf(path).st_mode & 07777;
}

void setMode(const std::string& path, unsigned mode)
{
    if (::chmod(path.c_str(), mode) != 0)
        throw std::runtime_error("cannot chmod " + path + ": " + std::strerror(errno));
}

void makeFifo(const std::string& path, unsigned mode)
{
    if (::mkfifo(path.c_str(), mode) != 0)
        throw std::runtime_error("cannot mkfifo " + path + ": " + std::strerror(errno));
}

OwnerIds ownerOf(const std::string& path)
{
    struct stat st = statOf(path);
    return OwnerIds{st.st_uid, st.st_gid};
}

void setOwner(const std::string& path, unsigned uid, unsigned gid)
{
    if (::chown(path.c_str(), uid, gid) != 0)
        throw std::runtime_error("cannot chown " + path + ": " + std::strerror(errno));
}

std::optional<unsigned> userIdOf(const std::string& name)
{
    if (struct passwd* entry = ::getpwnam(name.c_str()))
        return entry->pw_uid;
    return std::nullopt;
}

std::optional<unsigned> groupIdOf(const std::string& name)
{
    if (struct group* entry = ::getgrnam(name.c_str()))
        return entry->gr_gid;
    return std::nullopt;
}

ScopedUmask::ScopedUmask(unsigned mask) : _old(::umask(mask))
{
}

ScopedUmask::~ScopedUmask()
{
    ::umask(_old);
}

ScopedEffectiveUser::ScopedEffectiveUser(unsigned uid)
{
    if (::seteuid(uid) != 0)
        throw std::runtime_error("seteuid failed");
}

ScopedEffectiveUser::~ScopedEffectiveUser()
{
    // The rest of the suite would run as the other user and its results
    // would mean nothing: stop here instead.
    if (::seteuid(0) != 0)
        std::abort();
}

ScopedMount::ScopedMount(std::string dir, bool readOnly, const std::string& options)
    : _dir(std::move(dir))
{
    if (::mount("tmpfs", _dir.c_str(), "tmpfs", readOnly ? MS_RDONLY : 0, options.c_str()) == 0)
        _mounted = true;
    else
        _error = std::strerror(errno);
}

ScopedMount::~ScopedMount()
{
    if (_mounted)
        ::umount2(_dir.c_str(), MNT_DETACH);
}

} // namespace TokenBroker::Test
