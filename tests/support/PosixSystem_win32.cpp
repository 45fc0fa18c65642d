#include "PosixSystem.h"

#include <stdexcept>

namespace TokenBroker::Test {

namespace {

[[noreturn]] void posixOnly(const char* what)
{
    throw std::logic_error(std::string(what) + " is POSIX only: this case should have been skipped on Windows");
}

} // namespace

bool runningAsRoot()
{
    return false;
}

unsigned modeOf(const std::string&)
{
    posixOnly("modeOf");
}

void setMode(const std::string&, unsigned)
{
    posixOnly("setMode");
}

void makeFifo(const std::string&, unsigned)
{
    posixOnly("makeFifo");
}

OwnerIds ownerOf(const std::string&)
{
    posixOnly("ownerOf");
}

void setOwner(const std::string&, unsigned, unsigned)
{
    posixOnly("setOwner");
}

std::optional<unsigned> userIdOf(const std::string&)
{
    posixOnly("userIdOf");
}

std::optional<unsigned> groupIdOf(const std::string&)
{
    posixOnly("groupIdOf");
}

ScopedUmask::ScopedUmask(unsigned)
{
    posixOnly("ScopedUmask");
}

ScopedUmask::~ScopedUmask() = default;

ScopedEffectiveUser::ScopedEffectiveUser(unsigned)
{
    posixOnly("ScopedEffectiveUser");
}

ScopedEffectiveUser::~ScopedEffectiveUser() = default;

ScopedMount::ScopedMount(std::string, bool, const std::string&)
{
    posixOnly("ScopedMount");
}

ScopedMount::~ScopedMount() = default;

} // namespace TokenBroker::Test
