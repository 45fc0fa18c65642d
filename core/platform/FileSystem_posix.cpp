#include "FileSystem.h"

#include "AtomicFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

void makeDirectories(const std::string& dir)
{
    struct stat st;
    if (::stat(dir.c_str(), &st) == 0)
    {
        if (!S_ISDIR(st.st_mode))
            throw WriteError(dir + " exists and is not a directory");
        return;
    }
    if (errno != ENOENT)
        throw WriteError(errorText("cannot inspect", dir, errno));
    makeDirectories(parentDirectory(dir));
    if (::mkdir(dir.c_str(), 0750) != 0)
    {
        if (errno != EEXIST)
            throw WriteError(errorText("cannot create directory", dir, errno));
        return;  // created concurrently by someone else: leave its mode alone
    }
    // mkdir() applies the umask; the documented mode is 0750 whatever it is.
    if (::chmod(dir.c_str(), 0750) != 0)
        throw WriteError(errorText("cannot set mode of", dir, errno));
}

void makePrivateDirectory(const std::string& path)
{
    makeDirectories(parentDirectory(path));
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
        throw WriteError(errorText("cannot create directory", path, errno));
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw WriteError(errorText("cannot inspect", path, errno));
    if (!S_ISDIR(st.st_mode))
        throw WriteError(path + " exists and is not a directory");
    if ((st.st_mode & 077) != 0 && ::chmod(path.c_str(), 0700) != 0)
        throw WriteError(errorText("cannot restrict permissions of", path, errno));
}

void removeFile(const std::string& path)
{
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        throw WriteError(errorText("cannot remove", path, errno));
}

void renameFile(const std::string& from, const std::string& to)
{
    if (::rename(from.c_str(), to.c_str()) != 0)
        throw WriteError(errorText("cannot rename", from, errno));
}

bool isDirectory(const std::string& path)
{
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string readWholeFile(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
    {
        if (errno == ENOENT)
            throw FileMissing(path + " does not exist");
        throw std::runtime_error(errorText("cannot read", path, errno));
    }
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
    }
    ::close(fd);
    return content;
}

} // namespace TokenBroker
