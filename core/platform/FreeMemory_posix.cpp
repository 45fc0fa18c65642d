#include "FreeMemory.h"

#include <cstdlib>  // defines __GLIBC__ (through <features.h>)

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace TokenBroker {

void releaseFreeMemory()
{
#if defined(__GLIBC__)
    // Unlike the trimming free() does itself, this also returns whole free
    // pages inside the heap and in every thread's arena, not only its top.
    malloc_trim(0);
#endif
}

} // namespace TokenBroker
