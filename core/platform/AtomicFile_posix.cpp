#include "AtomicFile.h"

#include "Accounts.h"
#include "FileSystem.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace TokenBroker {

namespace {

std::string errorText(const std::string& what, const std::string& path, int error)
{
    return what + " " + path + ": " + std::strerror(error);
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

std::optional<std::string> modeUnsupportedReason()
{
    return std::nullopt;
}

std::string describeAccess(const FileAttributes& attributes)
{
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", attributes.mode);
    return mode;
}

void writeFileAtomically(const std::string& path, const std::string& content, const FileAttributes& attributes,
                         bool createParents)
{
    const std::string dir = parentDirectory(path);
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

} // namespace TokenBroker
