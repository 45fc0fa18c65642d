#include "AtomicFile.h"

#include "Accounts.h"
#include "DirectorySync_posix.h"
#include "FileSystem.h"
#include "TrustedPath_posix.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

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

    // Every step is relative to the directory reached by the trusted walk:
    // no directory or link another user controls can redirect the write.
    auto [dir, dirPath, base] = Posix::refusedAs<WriteError>(
        "cannot write " + path + ": ", [&] { return Posix::openParent(path, Posix::Trust{uid}, createParents, 0750); });

    std::string tempName;
    int fd = -1;
    std::random_device random;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt)
    {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
        tempName = "." + base + ".tmp." + suffix;
        // O_EXCL|O_NOFOLLOW: a name someone planted is never opened; 0600
        // keeps the content private until the requested mode is in place.
        fd = ::openat(dir.get(), tempName.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            throw WriteError(errorText("cannot create a temporary file in", dirPath, errno));
    }
    if (fd < 0)
        throw WriteError("cannot create a temporary file in " + dirPath + ": every name tried exists");
    const std::string tempPath = dirPath + "/" + tempName;
    try
    {
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
        // renameat replaces whatever entry has the name, a planted link
        // included, and never follows it.
        if (::renameat(dir.get(), tempName.c_str(), dir.get(), base.c_str()) != 0)
            throw WriteError(errorText("cannot replace", path, errno));
    }
    catch (...)
    {
        if (fd >= 0)
            ::close(fd);
        ::unlinkat(dir.get(), tempName.c_str(), 0);
        throw;
    }
    // Shared with the other writers of this directory at the same moment.
    if (const int error = Posix::syncDirectory(dir.get()); error != 0)
        throw WriteError(errorText("cannot sync directory", dirPath, error));
}

} // namespace TokenBroker
