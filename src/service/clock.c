/* clock.c — see clock.h: time(NULL) plus an offset the tests write into BEIAN_TEST_CLOCK_FILE. */
#include "service/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int64_t service_now(void)
{
    int64_t now = (int64_t)time(NULL);
    const char *path = getenv("BEIAN_TEST_CLOCK_FILE");
    if (!path || !*path) return now;
    FILE *f = fopen(path, "r");
    if (!f) return now;
    long long offset = 0;
    if (fscanf(f, "%lld", &offset) != 1) offset = 0;
    fclose(f);
    return now + (int64_t)offset;
}
