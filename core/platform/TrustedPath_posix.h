#pragma once

// POSIX only: the one walk by which the daemon reaches every path it writes
// or loads (outputs, state, locks, plugins), so that no other local user can
// redirect it with a directory or a symbolic link they control.

#include <sys/types.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace TokenBroker::Posix {

/// An open file descriptor, closed with the object.
class Descriptor
{
public:
    explicit Descriptor(int fd = -1)
        : _fd(fd)
    {
    }
    ~Descriptor();
    Descriptor(Descriptor&& other) noexcept;
    Descriptor& operator=(Descriptor&& other) noexcept;
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;

    int get() const { return _fd; }

private:
    int _fd;
};

/// A directory or link on the way cannot be trusted; the message names it.
class PathRefused : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// Who besides root and this process's user may own what is on the way:
/// an output's `owner`, who could replace that token anyway.
struct Trust
{
    uid_t alsoOwner = static_cast<uid_t>(-1);
};

/// Opens the directory `path` by walking from "/" one component
/// at a time with openat and O_NOFOLLOW. Each directory is judged on its
/// descriptor: owned by root, this user or trust.alsoOwner, and not
/// writable by group or others unless sticky, as /tmp is (others may add
/// entries there but not rename or remove ours, so the entry taken next
/// must then be ours, a link included). A symbolic link that passes is
/// followed by walking its target the same way (at most 40). With `create`,
/// missing directories are made with `mode` (not narrowed by the umask).
/// Returns a descriptor open for reading (fsync, *at calls).
Descriptor openDirectory(const std::string& path, const Trust& trust, bool create, mode_t mode);

/// Opens the file `path` by the same walk, the last component
/// included (a link is followed the same way), as an O_PATH descriptor;
/// the file is judged as the directories are.
Descriptor openFile(const std::string& path, const Trust& trust);

/// A file's directory, open through the walk of openDirectory, and the
/// file's name in it: where each create, rename and unlink starts.
struct Parent
{
    Descriptor dir;
    std::string dirPath;  ///< absolute, for messages
    std::string name;
};

/// splitPath(path), then openDirectory on its directory.
Parent openParent(const std::string& path, const Trust& trust, bool create, mode_t mode);

/// What `walk()` returns; its refusal thrown as Error(context + reason),
/// the error type and wording of the caller.
template <class Error, class Walk>
auto refusedAs(const std::string& context, Walk walk) -> decltype(walk())
{
    try
    {
        return walk();
    }
    catch (const PathRefused& e)
    {
        throw Error(context + e.what());
    }
}

/// `path` made absolute against the working directory.
std::string absolutePath(const std::string& path);

/// `path` split into its directory and its last component ("/a/b" ->
/// "/a", "b"), a relative path taken from the working directory; throws
/// PathRefused for a path that names no file.
std::pair<std::string, std::string> splitPath(const std::string& path);

} // namespace TokenBroker::Posix
