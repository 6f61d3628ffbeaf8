/* bench_common.h — what the one-thread benchmarks of the policy share (bench_validate.c,
 * validate_floor.c): the clock, a file read whole, and the pack named on the command line. */
#ifndef BEIAN_BENCH_COMMON_H
#define BEIAN_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "policy/pack.h"

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* path's bytes, NUL-terminated (malloc'd), or NULL */
static inline char *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

/* `PROGRAM [PACK_DIR] [SECONDS]`: the pack (default: $BEIAN_POLICY_DIR or the built-in policy dir,
 * + /cn-cloud) loaded into *p, its directory into dir, the seconds per measurement (default 2).
 * 0 ok; -1 after saying why on stderr. */
static inline int bench_open_pack(const char *program, int argc, char **argv, char *dir, size_t dir_size,
                                  struct pack **p, double *seconds)
{
    const char *root = getenv("BEIAN_POLICY_DIR");
    if (argc > 1)
        snprintf(dir, dir_size, "%s", argv[1]);
    else
        snprintf(dir, dir_size, "%s/cn-cloud", root && *root ? root : BEIAN_DEFAULT_POLICY_DIR);
    *seconds = argc > 2 ? atof(argv[2]) : 2.0;
    struct err e = {0};
    if (pack_load(dir, p, &e) != 0) {
        fprintf(stderr, "%s: %s\n", program, e.detail_en);
        err_clear(&e);
        return -1;
    }
    return 0;
}

#endif
