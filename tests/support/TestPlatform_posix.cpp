#include "TestPlatform.h"

#include <sys/socket.h>

namespace TokenBroker::Test {

bool onWindows()
{
    return false;
}

std::string nativePath(const std::string& path)
{
    return path;
}

std::string fromPlatformLineEnds(std::string text)
{
    return text;
}

int noSigpipeFlag()
{
    return MSG_NOSIGNAL;
}

} // namespace TokenBroker::Test
