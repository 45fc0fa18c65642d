#include "TrustedLibrary.h"

#include "TrustedPath_posix.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <fstream>
#include <link.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <vector>

namespace TokenBroker {

using Posix::Descriptor;

namespace {

/// Device and inode of the file mapped at the library's base, from
/// /proc/self/maps; false when no mapping there is found.
bool mappedFile(void* handle, dev_t& device, ino_t& inode)
{
    struct link_map* map = nullptr;
    if (::dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map)
        return false;
    const auto base = static_cast<unsigned long>(map->l_addr);
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
    {
        unsigned long start = 0, end = 0, offset = 0, inodeNumber = 0;
        unsigned major = 0, minor = 0;
        char perms[8] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %7s %lx %x:%x %lu", &start, &end, perms, &offset, &major, &minor,
                        &inodeNumber) != 7)
            continue;
        if (start <= base && base < end && offset == 0)
        {
            device = makedev(major, minor);
            inode = static_cast<ino_t>(inodeNumber);
            return true;
        }
    }
    return false;
}

} // namespace

TrustedLibrary::TrustedLibrary(const std::string& path)
{
    Descriptor file;
    try
    {
        file = Posix::openFile(path, Posix::Trust{});
    }
    catch (const Posix::PathRefused& e)
    {
        throw UntrustedLibrary(e.what());
    }
    struct stat judged;
    if (::fstat(file.get(), &judged) != 0)
        throw UntrustedLibrary("cannot inspect " + path + ": " + std::strerror(errno));
    // dlopen returns a library already loaded under the same name, and a
    // /proc/self/fd name is reused once its descriptor is closed: what was
    // mapped is compared with what was judged, and a name that led
    // elsewhere is replaced by another (a duplicate descriptor) and tried again.
    std::vector<Descriptor> spare;
    for (int attempt = 0; attempt < 8; ++attempt)
    {
        const int fd = spare.empty() ? file.get() : spare.back().get();
        const std::string name = "/proc/self/fd/" + std::to_string(fd);
        void* handle = ::dlopen(name.c_str(), RTLD_LAZY | RTLD_LOCAL);
        if (!handle)
        {
            const char* error = ::dlerror();
            std::string reason = error ? error : "unknown error";
            // dlerror names our /proc path; the operator knows the file.
            if (reason.rfind(name + ": ", 0) == 0)
                reason.erase(0, name.size() + 2);
            throw std::runtime_error("cannot load: " + path + ": " + reason);
        }
        dev_t device = 0;
        ino_t inode = 0;
        if (mappedFile(handle, device, inode) && device == judged.st_dev && inode == judged.st_ino)
        {
            _handle = handle;
            return;
        }
        ::dlclose(handle);
        spare.emplace_back(::fcntl(file.get(), F_DUPFD_CLOEXEC, 3));
        if (spare.back().get() < 0)
            break;
    }
    throw UntrustedLibrary("the library loaded from " + path + " is not the file that was checked; refusing it");
}

TrustedLibrary::~TrustedLibrary()
{
    if (_handle)
        ::dlclose(_handle);
}

void* TrustedLibrary::symbol(const char* name) const
{
    return ::dlsym(_handle, name);
}

} // namespace TokenBroker
