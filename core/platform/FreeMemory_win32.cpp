#include "FreeMemory.h"

#include <malloc.h>

namespace TokenBroker {

void releaseFreeMemory()
{
    _heapmin();
}

} // namespace TokenBroker
