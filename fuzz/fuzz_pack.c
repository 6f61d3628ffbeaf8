/* fuzz_pack.c — the pack loader: a copy of the default pack in a temporary directory whose
 * form.json is the fuzzed input, loaded with pack_load (which must fail cleanly or succeed). */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz_common.h"

static char dir[256];

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static void cleanup(void) { if (dir[0]) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static void setup(void)
{
    snprintf(dir, sizeof dir, "%s/beian-fuzz-pack-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) abort();
    const char *root = getenv("BEIAN_POLICY_DIR") ? getenv("BEIAN_POLICY_DIR") : BEIAN_DEFAULT_POLICY_DIR;
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "cp -r '%s/cn-cloud/.' '%s/'", root, dir);
    if (system(cmd) != 0) abort();
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) setup();
    char path[512];
    snprintf(path, sizeof path, "%s/form.json", dir);
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    struct pack *p = NULL;
    struct err e = {0};
    if (pack_load(dir, &p, &e) == 0) pack_free(p);
    else err_clear(&e);
    return 0;
}
