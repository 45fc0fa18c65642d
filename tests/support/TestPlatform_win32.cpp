#include "TestPlatform.h"

namespace TokenBroker::Test {

bool onWindows()
{
    return true;
}

int noSigpipeFlag()
{
    return 0;
}

} // namespace TokenBroker::Test
