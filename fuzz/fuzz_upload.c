/* fuzz_upload.c — the upload name and type handling before the body (material_upload_check):
 * kind, title, filename and declared Content-Type from the input (NUL-separated), for an
 * enterprise filer of the default pack (replace_id 0: no store access). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"
#include "service/app_internal.h"   /* a context with only the pack, no store */
#include "service/auth.h"
#include "service/materials.h"
#include "core/workflow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct app a;
    a.pack = fuzz_default_pack();
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    const char *part[4] = {NULL, NULL, NULL, NULL};
    char *p = buf, *end = buf + size;
    for (int i = 0; i < 4 && p <= end; i++) {
        part[i] = p;
        p += strlen(p) + 1;
    }
    struct principal who;
    memset(&who, 0, sizeof who);
    who.user_id = 2;
    who.org_id = 2;
    strcpy(who.org_kind, size && data[0] & 1 ? "enterprise" : "provider");
    who.roles = ROLE_FILER | ROLE_PROVIDER;
    struct err e = {0};
    material_upload_check(&a, &who, 0, part[0], part[1], part[2], part[3], &e);
    err_clear(&e);
    free(buf);
    return 0;
}
