#include "AtomicFile.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace TokenBroker {

namespace {

std::string errorText(const std::string& what, const std::string& path, int error)
{
    return what + " " + path + ": " + std::strerror(error);
}

std::string parentOf(const std::string& path)
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
    makeDirectories(parentOf(dir));
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

std::optional<unsigned> numeric(const std::string& text)
{
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return static_cast<unsigned>(std::strtoul(text.c_str(), nullptr, 10));
}

void writeAll(int fd, const std::string& content, const std::string& tempPath)
{
    std::size_t done = 0;
    while (done < content.size())
    {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw WriteError(errorText("cannot write", tempPath, n < 0 ? errno : EIO));
        done += static_cast<std::size_t>(n);
    }
}

void syncDirectory(const std::string& dir)
{
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        throw WriteError(errorText("cannot open directory", dir, errno));
    int rc = ::fsync(fd);
    int error = errno;
    ::close(fd);
    if (rc != 0)
        throw WriteError(errorText("cannot sync directory", dir, error));
}

} // namespace

std::optional<unsigned> lookupUser(const std::string& name)
{
    if (auto id = numeric(name))
        return id;
    std::vector<char> buffer(16384);
    struct passwd entry, *result = nullptr;
    if (::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &result) != 0 || !result)
        return std::nullopt;
    return entry.pw_uid;
}

std::optional<unsigned> lookupGroup(const std::string& name)
{
    if (auto id = numeric(name))
        return id;
    std::vector<char> buffer(16384);
    struct group entry, *result = nullptr;
    if (::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &result) != 0 || !result)
        return std::nullopt;
    return entry.gr_gid;
}

void writeFileAtomically(const std::string& path, const std::string& content, const FileAttributes& attributes,
                         bool createParents)
{
    const std::string dir = parentOf(path);
    if (createParents)
        makeDirectories(dir);

    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    if (!attributes.owner.empty())
    {
        auto id = lookupUser(attributes.owner);
        if (!id)
            throw WriteError("cannot write " + path + ": unknown user '" + attributes.owner + "'");
        uid = *id;
    }
    if (!attributes.group.empty())
    {
        auto id = lookupGroup(attributes.group);
        if (!id)
            throw WriteError("cannot write " + path + ": unknown group '" + attributes.group + "'");
        gid = *id;
    }

    const std::string base = path.substr(path.find_last_of('/') + 1);
    std::string tempPath = dir + "/." + base + ".tmp.XXXXXX";
    int fd = ::mkostemp(tempPath.data(), O_CLOEXEC);
    if (fd < 0)
        throw WriteError(errorText("cannot create a temporary file in", dir, errno));
    try
    {
        // mkostemp creates the file 0600, so the content is never readable
        // by others before the requested mode is in place.
        writeAll(fd, content, tempPath);
        if (::fchmod(fd, attributes.mode) != 0)
            throw WriteError(errorText("cannot set mode of", tempPath, errno));
        if ((uid != static_cast<uid_t>(-1) || gid != static_cast<gid_t>(-1)) && ::fchown(fd, uid, gid) != 0)
            throw WriteError(errorText("cannot set owner of", tempPath, errno));
        if (::fsync(fd) != 0)
            throw WriteError(errorText("cannot sync", tempPath, errno));
        int rc = ::close(fd);
        fd = -1;
        if (rc != 0)
            throw WriteError(errorText("cannot close", tempPath, errno));
        if (::rename(tempPath.c_str(), path.c_str()) != 0)
            throw WriteError(errorText("cannot replace", path, errno));
    }
    catch (...)
    {
        if (fd >= 0)
            ::close(fd);
        ::unlink(tempPath.c_str());
        throw;
    }
    syncDirectory(dir);
}

void makePrivateDirectory(const std::string& path)
{
    makeDirectories(parentOf(path));
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

} // namespace TokenBroker
