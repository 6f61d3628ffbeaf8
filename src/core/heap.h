/* heap.h — what the C allocator holds for the process: the bytes in use (handed out and not yet
 * freed) and the bytes free inside its arenas (freed, kept for reuse, not returned to the system).
 * A leak grows the first; fragmentation grows the second, and levels off (docs/performance.md,
 * "Soak"). /metrics tells both, and bench/soak.sh reads them to judge its RSS. */
#ifndef BEIAN_HEAP_H
#define BEIAN_HEAP_H

#include <stdbool.h>
#include <stdint.h>

struct heap_bytes {
    int64_t in_use;   /* allocated and not freed, in the arenas and in chunks of their own (mmap) */
    int64_t free;     /* free inside the arenas */
};

/* false where the C library cannot tell (not glibc). Walks every arena under its lock: for
 * /metrics, not for a hot path. */
bool heap_bytes(struct heap_bytes *out);

#endif
