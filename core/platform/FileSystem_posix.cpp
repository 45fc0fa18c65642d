#include "FileSystem.h"

#include "AtomicFile.h"
#include "TrustedPath_posix.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace TokenBroker {

const char pathListSeparator = ':';

namespace {

std::string errorText(const std::string& what, const std::string& path, int error)
{
    return what + " " + path + ": " + std::strerror(error);
}

} // namespace

std::string parentDirectory(const std::string& path)
{
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

namespace {

/// The walks of TrustedPath_posix.h, their refusals as WriteErrors.
Posix::Descriptor trustedDirectory(const std::string& dir, bool create, mode_t mode)
{
    return Posix::refusedAs<WriteError>("", [&] { return Posix::openDirectory(dir, Posix::Trust{}, create, mode); });
}

Posix::Parent trustedParent(const std::string& path, bool create)
{
    return Posix::refusedAs<WriteError>("", [&] { return Posix::openParent(path, Posix::Trust{}, create, 0750); });
}

} // namespace

void makeDirectories(const std::string& dir)
{
    trustedDirectory(dir, true, 0750);
}

void makePrivateDirectory(const std::string& path)
{
    const auto parent = trustedParent(path, true);
    if (::mkdirat(parent.dir.get(), parent.name.c_str(), 0700) != 0 && errno != EEXIST)
        throw WriteError(errorText("cannot create directory", path, errno));
    // Reached by the same walk, so that a link or a directory planted in
    // its place is judged like any other.
    Posix::Descriptor dir = trustedDirectory(path, false, 0700);
    struct stat st;
    if (::fstat(dir.get(), &st) != 0)
        throw WriteError(errorText("cannot inspect", path, errno));
    if ((st.st_mode & 077) != 0 && ::fchmod(dir.get(), 0700) != 0)
        throw WriteError(errorText("cannot restrict permissions of", path, errno));
}

void removeFile(const std::string& path)
{
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR))
        return;  // already gone
    const auto parent = trustedParent(path, false);
    if (::unlinkat(parent.dir.get(), parent.name.c_str(), 0) != 0 && errno != ENOENT)
        throw WriteError(errorText("cannot remove", path, errno));
}

void renameFile(const std::string& from, const std::string& to)
{
    const auto source = trustedParent(from, false);
    const auto target = trustedParent(to, false);
    if (::renameat(source.dir.get(), source.name.c_str(), target.dir.get(), target.name.c_str()) != 0)
        throw WriteError(errorText("cannot rename", from, errno));
}

bool isDirectory(const std::string& path)
{
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

namespace {

/// open(2) for reading with `extraFlags`; FileMissing when there is no file.
int openForReading(const std::string& path, int extraFlags = 0)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | extraFlags);
    if (fd < 0)
    {
        if (errno == ENOENT)
            throw FileMissing(path + " does not exist");
        throw std::runtime_error(errorText("cannot read", path, errno));
    }
    return fd;
}

std::string readOpenFile(int fd, const std::string& path, std::size_t limit);

} // namespace

std::string readWholeFile(const std::string& path, std::size_t limit)
{
    return readOpenFile(openForReading(path), path, limit);
}

std::string readSettingFile(const std::string& path, std::size_t limit, bool secret)
{
    // O_NONBLOCK: a FIFO planted in place of the file must not hang the
    // daemon before fstat can tell it is no regular file.
    int fd = openForReading(path, O_NONBLOCK);
    struct stat st;
    if (::fstat(fd, &st) != 0)
    {
        const int error = errno;
        ::close(fd);
        throw std::runtime_error(errorText("cannot inspect", path, error));
    }
    if (!S_ISREG(st.st_mode))
    {
        ::close(fd);
        throw FileExposed(path + " is not a regular file");
    }
    if (secret && (st.st_mode & 077))
    {
        ::close(fd);
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw FileExposed(path + " is open to group or others (mode " + mode + "); run chmod 600 " + path);
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return readOpenFile(fd, path, limit);
}

namespace {

std::string readOpenFile(int fd, const std::string& path, std::size_t limit)
{
    std::string content;
    char buffer[8192];
    while (true)
    {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
        {
            const int error = errno;
            ::close(fd);
            throw std::runtime_error(errorText("cannot read", path, error));
        }
        if (n == 0)
            break;
        content.append(buffer, static_cast<std::size_t>(n));
        if (content.size() > limit)
        {
            ::close(fd);
            throw FileTooLarge(path + " is larger than " + std::to_string(limit) + " bytes");
        }
    }
    ::close(fd);
    return content;
}

} // namespace

} // namespace TokenBroker
