#include "TrustedPath_posix.h"

#include "VerifiedDirectories_posix.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace TokenBroker::Posix {

Descriptor::~Descriptor()
{
    if (_fd >= 0)
        ::close(_fd);
}

Descriptor::Descriptor(Descriptor&& other) noexcept
    : _fd(other._fd)
{
    other._fd = -1;
}

Descriptor& Descriptor::operator=(Descriptor&& other) noexcept
{
    std::swap(_fd, other._fd);
    return *this;
}

namespace {

/// Links followed in one path at most (Linux's own limit).
constexpr int kMaxLinks = 40;

std::string modeText(mode_t mode)
{
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

bool trustedOwner(uid_t uid, const Trust& trust)
{
    return uid == 0 || uid == ::geteuid() || (trust.alsoOwner != static_cast<uid_t>(-1) && uid == trust.alsoOwner);
}

/// Others may add entries to a directory that is writable by group or
/// others; a sticky one keeps them from renaming or removing ours.
bool openToOthers(const struct stat& st)
{
    return (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

/// Why the entry `shown` with status `st` may not be on the way, if it may not.
std::optional<std::string> whyRefused(const struct stat& st, const std::string& shown, const Trust& trust,
                                      bool inOpenDirectory)
{
    if (!trustedOwner(st.st_uid, trust))
        return shown + (S_ISLNK(st.st_mode) ? " is a symbolic link" : "") + " owned by uid " +
               std::to_string(st.st_uid) + ", neither root nor the service user" +
               (inOpenDirectory ? ", in a directory others can write" : "");
    if (S_ISLNK(st.st_mode))
        return std::nullopt;
    const bool directory = S_ISDIR(st.st_mode);
    if (openToOthers(st) && !(directory && (st.st_mode & S_ISVTX)))
        return shown + " is writable by group or others (mode " + modeText(st.st_mode) + "); run chmod go-w on it";
    return std::nullopt;
}

void judge(const struct stat& st, const std::string& shown, const Trust& trust, bool inOpenDirectory)
{
    if (auto why = whyRefused(st, shown, trust, inOpenDirectory))
        throw PathRefused(*why);
}

struct stat statOf(int fd, const std::string& shown)
{
    struct stat st;
    if (::fstat(fd, &st) != 0)
        throw PathRefused("cannot inspect " + shown + ": " + std::strerror(errno));
    return st;
}

std::deque<std::string> componentsOf(const std::string& path)
{
    std::deque<std::string> parts;
    std::string part;
    std::istringstream in(path);
    while (std::getline(in, part, '/'))
    {
        if (!part.empty() && part != ".")
            parts.push_back(part);
    }
    return parts;
}

std::string joined(const std::vector<std::string>& names)
{
    std::string path;
    for (const auto& name : names)
        path += "/" + name;
    return path.empty() ? "/" : path;
}

enum class Want { Directory, File };

/// The walk of openDirectory/openFile; returns an O_PATH descriptor.
Descriptor walk(const std::string& path, const Trust& trust, Want want, bool create, mode_t mode)
{
    if (path.empty() || path[0] != '/')
        throw PathRefused(path + " is not an absolute path");
    struct Step
    {
        Descriptor fd;
        bool openToOthers = false;
    };
    std::vector<Step> dirs;
    std::vector<std::string> names;
    auto openRoot = [&] {
        dirs.clear();
        names.clear();
        Descriptor root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (root.get() < 0)
            throw PathRefused(std::string("cannot open /: ") + std::strerror(errno));
        const struct stat st = statOf(root.get(), "/");
        judge(st, "/", trust, false);
        dirs.push_back(Step{std::move(root), openToOthers(st)});
    };
    openRoot();
    std::deque<std::string> pending = componentsOf(path);
    if (pending.empty() && want == Want::Directory)
        return std::move(dirs.back().fd);
    int links = 0;
    while (!pending.empty())
    {
        const std::string name = pending.front();
        pending.pop_front();
        if (name == "..")
        {
            if (dirs.size() > 1)
            {
                dirs.pop_back();
                names.pop_back();
            }
            continue;
        }
        names.push_back(name);
        const std::string shown = joined(names);
        const bool last = pending.empty();
        const int parent = dirs.back().fd.get();
        Descriptor entry(::openat(parent, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (entry.get() < 0 && errno == ENOENT && create && !(last && want == Want::File))
        {
            if (::mkdirat(parent, name.c_str(), mode) != 0 && errno != EEXIST)
                throw PathRefused("cannot create directory " + shown + ": " + std::strerror(errno));
            entry = Descriptor(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            // mkdirat applies the umask; the documented mode is `mode`. A
            // directory someone else made at that moment is judged below.
            if (entry.get() >= 0 && statOf(entry.get(), shown).st_uid == ::geteuid())
                ::fchmod(entry.get(), mode);
        }
        if (entry.get() < 0)
            throw PathRefused("cannot open " + shown + ": " + std::strerror(errno));
        const struct stat st = statOf(entry.get(), shown);
        judge(st, shown, trust, dirs.back().openToOthers);
        if (S_ISLNK(st.st_mode))
        {
            // Followed from where it lies, by the same rules.
            if (++links > kMaxLinks)
                throw PathRefused(path + " has more than " + std::to_string(kMaxLinks) + " symbolic links");
            char target[4096];
            const ssize_t n = ::readlinkat(parent, name.c_str(), target, sizeof target - 1);
            if (n <= 0)
                throw PathRefused("cannot read the link " + shown + ": " + std::strerror(errno));
            names.pop_back();
            const std::string text(target, static_cast<std::size_t>(n));
            const std::deque<std::string> parts = componentsOf(text);
            pending.insert(pending.begin(), parts.begin(), parts.end());
            if (text[0] == '/')
                openRoot();
            continue;
        }
        if (S_ISDIR(st.st_mode))
        {
            dirs.push_back(Step{std::move(entry), openToOthers(st)});
            continue;
        }
        if (!last || want == Want::Directory)
            throw PathRefused(shown + " is not a directory");
        if (!S_ISREG(st.st_mode))
            throw PathRefused(shown + " is not a regular file");
        return entry;
    }
    if (want == Want::File)
        throw PathRefused(path + " is a directory");
    return std::move(dirs.back().fd);
}

} // namespace

Descriptor openDirectory(const std::string& path, const Trust& trust, bool create, mode_t mode)
{
    const std::string absolute = absolutePath(path);
    VerifiedDirectories& verified = VerifiedDirectories::instance();
    // The directory walked a moment ago, if the path still leads to it and
    // it would still pass judge(); anything else is walked again.
    Descriptor recent = verified.find(absolute, trust.alsoOwner, [&](const struct stat& st) {
        return S_ISDIR(st.st_mode) && !whyRefused(st, absolute, trust, false);
    });
    if (recent.get() >= 0)
        return recent;
    Descriptor found = walk(absolute, trust, Want::Directory, create, mode);
    Descriptor readable(::openat(found.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (readable.get() < 0)
        throw PathRefused("cannot open " + path + ": " + std::strerror(errno));
    verified.remember(absolute, trust.alsoOwner, readable.get());
    return readable;
}

Descriptor openFile(const std::string& path, const Trust& trust)
{
    return walk(absolutePath(path), trust, Want::File, false, 0);
}

std::string absolutePath(const std::string& path)
{
    if (path.empty() || path[0] == '/')
        return path;
    char cwd[4096];
    if (!::getcwd(cwd, sizeof cwd))
        throw PathRefused("cannot resolve " + path + ": " + std::strerror(errno));
    return std::string(cwd) + "/" + path;
}

std::pair<std::string, std::string> splitPath(const std::string& given)
{
    const std::string path = absolutePath(given);
    const auto slash = path.find_last_of('/');
    if (path.empty() || slash == std::string::npos || slash + 1 == path.size())
        throw PathRefused(given + " does not name a file");
    return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

Parent openParent(const std::string& path, const Trust& trust, bool create, mode_t mode)
{
    auto [dir, name] = splitPath(path);
    return {openDirectory(dir, trust, create, mode), dir, name};
}

} // namespace TokenBroker::Posix
