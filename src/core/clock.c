/* clock.c — the system clock plus an offset that only tests set (see clock.h). */
#include "core/clock.h"

#include <stdatomic.h>

static _Atomic int64_t offset;

time_t clock_now(void)
{
    return time(NULL) + (time_t)atomic_load_explicit(&offset, memory_order_relaxed);
}

void clock_set_offset(int64_t seconds)
{
    atomic_store_explicit(&offset, seconds, memory_order_relaxed);
}
