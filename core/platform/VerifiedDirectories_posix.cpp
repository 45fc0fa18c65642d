#include "VerifiedDirectories_posix.h"

#include <fcntl.h>
#include <unistd.h>

namespace TokenBroker::Posix {

namespace {

Descriptor duplicate(int fd)
{
    return Descriptor(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
}

} // namespace

VerifiedDirectories& VerifiedDirectories::instance()
{
    static VerifiedDirectories cache;
    return cache;
}

void VerifiedDirectories::dropExpired(Clock::time_point now)
{
    for (auto it = _entries.begin(); it != _entries.end();)
        it = it->second.expires <= now ? _entries.erase(it) : std::next(it);
}

Descriptor VerifiedDirectories::find(const std::string& path, uid_t owner, const StillTrusted& stillTrusted)
{
    // Where the path leads now, resolved by the kernel: only its identity
    // is used, never the path, so no link on the way can redirect a write.
    struct stat named;
    if (::stat(path.c_str(), &named) != 0)
        return Descriptor();
    std::lock_guard<std::mutex> lock(_mutex);
    dropExpired(Clock::now());
    const auto it = _entries.find({path, owner});
    if (it == _entries.end())
        return Descriptor();
    struct stat held;
    if (it->second.device != named.st_dev || it->second.inode != named.st_ino || ::fstat(it->second.fd.get(), &held) != 0 ||
        !stillTrusted(held))
    {
        _entries.erase(it);
        return Descriptor();
    }
    return duplicate(it->second.fd.get());
}

void VerifiedDirectories::remember(const std::string& path, uid_t owner, int fd)
{
    struct stat st;
    if (::fstat(fd, &st) != 0)
        return;
    Descriptor held = duplicate(fd);
    if (held.get() < 0)
        return;
    std::lock_guard<std::mutex> lock(_mutex);
    const auto now = Clock::now();
    dropExpired(now);
    if (_entries.size() >= capacity)
        _entries.erase(_entries.begin());
    _entries[{path, owner}] = Entry{std::move(held), st.st_dev, st.st_ino, now + lifetime};
}

void VerifiedDirectories::clear()
{
    std::lock_guard<std::mutex> lock(_mutex);
    _entries.clear();
}

} // namespace TokenBroker::Posix
