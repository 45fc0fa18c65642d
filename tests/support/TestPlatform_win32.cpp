#include "TestPlatform.h"

#include <Poco/Path.h>

namespace TokenBroker::Test {

bool onWindows()
{
    return true;
}

std::string nativePath(const std::string& path)
{
    return Poco::Path(path).toString();
}

std::string fromPlatformLineEnds(std::string text)
{
    std::string::size_type at = 0;
    while ((at = text.find("\r\n", at)) != std::string::npos)
        text.erase(at, 1);
    return text;
}

int noSigpipeFlag()
{
    return 0;
}

} // namespace TokenBroker::Test
