/* fuzz_common.h — what the libFuzzer targets share: the default policy pack, loaded once. */
#ifndef BEIAN_FUZZ_COMMON_H
#define BEIAN_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include "config.h"
#include "policy/pack.h"

static const struct pack *fuzz_default_pack(void)
{
    static struct pack *p;
    if (!p) {
        struct err e = {0};
        const char *root = getenv("BEIAN_POLICY_DIR") ? getenv("BEIAN_POLICY_DIR") : BEIAN_DEFAULT_POLICY_DIR;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/cn-cloud", root);
        if (pack_load(dir, &p, &e) != 0) {
            fprintf(stderr, "fuzz: cannot load the default pack %s: %s\n", dir, e.detail_en);
            abort();
        }
    }
    return p;
}

#endif
