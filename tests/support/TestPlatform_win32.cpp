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

int noSigpipeFlag()
{
    return 0;
}

} // namespace TokenBroker::Test
