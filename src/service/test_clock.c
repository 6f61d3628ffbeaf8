/* test_clock.c — the test-only clock offset file (see test_clock.h). */
#include "service/test_clock.h"
#include "core/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static const char *clock_file;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void find_file(void) { clock_file = getenv("BEIAN_TEST_CLOCK_FILE"); }

void test_clock_refresh(void)
{
    pthread_once(&once, find_file);
    if (!clock_file) return;
    FILE *f = fopen(clock_file, "r");
    if (!f) return;   /* not written yet: the offset stays as it was */
    long long seconds;
    if (fscanf(f, "%lld", &seconds) == 1) clock_set_offset(seconds);
    fclose(f);
}
