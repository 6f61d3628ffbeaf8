/* test_heap.c — the allocator's account (src/core/heap.c): what the process allocates shows in
 * "in use" and leaves it when freed; what it frees below a live chunk stays in the arena as
 * "free" (jemalloc: pages freed and kept until handed back; glibc: free chunks of the arena;
 * AddressSanitizer's quarantine holds freed memory back, so there only in use). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/heap.h"

enum { CHUNKS = 1024, CHUNK = 8 * 1024, MIB = 1024 * 1024 };

static void in_use_follows_allocations(void **state)
{
    (void)state;
    struct heap_bytes start, held, after;
    assert_true(heap_bytes(&start));
    assert_true(start.in_use > 0);
    assert_true(start.free >= 0);
    static char *chunks[CHUNKS];
    for (int i = 0; i < CHUNKS; i++) {
        chunks[i] = malloc(CHUNK);
        assert_non_null(chunks[i]);
        memset(chunks[i], i & 0xff, CHUNK);
    }
    char *pin = malloc(64);   /* after the chunks: their space cannot go back to the system */
    assert_non_null(pin);
    assert_true(heap_bytes(&held));
    int64_t grown = held.in_use - start.in_use;
    assert_true(grown >= (int64_t)CHUNKS * CHUNK);
    assert_true(grown <= (int64_t)CHUNKS * CHUNK + 2 * MIB);   /* headers, rounding */
    for (int i = 0; i < CHUNKS; i++) free(chunks[i]);
    assert_true(heap_bytes(&after));
    assert_true(after.in_use - start.in_use < MIB);
#ifndef __SANITIZE_ADDRESS__
    /* the freed chunks lie below the pin: free inside the arena, not returned */
    assert_true(after.free - held.free >= (int64_t)CHUNKS * CHUNK - MIB);
#endif
    free(pin);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_use_follows_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
