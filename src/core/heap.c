/* heap.c — the allocator's own account of the process's heap (heap.h): jemalloc's statistics in
 * the builds that link it (meson.build), AddressSanitizer's when the build runs under it (its
 * allocator replaces the C library's), else glibc's mallinfo2. */
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
#elif defined(BEIAN_JEMALLOC)
#include <jemalloc/jemalloc.h>

static bool stat_bytes(const char *name, int64_t *out)
{
    size_t v, len = sizeof v;
    if (mallctl(name, &v, &len, NULL, 0) != 0) return false;
    *out = (int64_t)v;
    return true;
}

bool heap_bytes(struct heap_bytes *out)
{
    uint64_t epoch = 1;   /* the statistics are a snapshot taken when the epoch advances */
    size_t len = sizeof epoch;
    int64_t allocated, resident, metadata;
    if (mallctl("epoch", &epoch, &len, &epoch, len) != 0 || !stat_bytes("stats.allocated", &allocated) ||
        !stat_bytes("stats.resident", &resident) || !stat_bytes("stats.metadata", &metadata))
        return false;
    /* resident: the pages of live blocks, of the allocator's own records, and the pages freed
     * but kept (dirty) until the allocator hands them back to the system */
    out->in_use = allocated;
    out->free = resident - allocated - metadata > 0 ? resident - allocated - metadata : 0;
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
