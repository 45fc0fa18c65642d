#include "TestPlatform.h"

#include <sys/socket.h>

namespace TokenBroker::Test {

bool onWindows()
{
    return false;
}

int noSigpipeFlag()
{
    return MSG_NOSIGNAL;
}

} // namespace TokenBroker::Test
