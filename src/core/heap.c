/* heap.c — the allocator's own account of the process's heap (heap.h): glibc's mallinfo2, or
 * AddressSanitizer's when the build runs under it (its allocator replaces glibc's). */
#include "core/heap.h"

#include <stdlib.h>   /* glibc's version macros */

#if defined(__SANITIZE_ADDRESS__)
#include <stddef.h>
/* libasan's allocator interface (clang ships it as sanitizer/allocator_interface.h; gcc does not) */
size_t __sanitizer_get_current_allocated_bytes(void);
size_t __sanitizer_get_free_bytes(void);

bool heap_bytes(struct heap_bytes *out)
{
    out->in_use = (int64_t)__sanitizer_get_current_allocated_bytes();
    out->free = (int64_t)__sanitizer_get_free_bytes();
    return true;
}
#elif defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>

bool heap_bytes(struct heap_bytes *out)
{
    struct mallinfo2 m = mallinfo2();
    /* uordblks: in use inside the arenas; hblkhd: the large chunks mapped one by one;
     * fordblks: the free chunks of every arena (fastbins included) */
    out->in_use = (int64_t)(m.uordblks + m.hblkhd);
    out->free = (int64_t)m.fordblks;
    return true;
}
#else
bool heap_bytes(struct heap_bytes *out)
{
    *out = (struct heap_bytes){0};
    return false;
}
#endif
