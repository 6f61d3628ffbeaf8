/* fuzz_router.c — the request path: router_match over the API route table with a fuzzed method
 * and path ("METHOD PATH" split at the first space; NULs cut the strings as C would see them). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *sp = strchr(buf, ' ');
    const char *method = "GET", *path = buf;
    if (sp) { *sp = 0; method = buf; path = sp + 1; }
    struct http_req r;
    memset(&r, 0, sizeof r);
    bool matched = false;
    char allow[256];
    allow[0] = 0;
    const struct route *rt = router_match(API_ROUTES, API_ROUTES_COUNT, method, path, &r, &matched, allow, sizeof allow);
    /* a route answers only its own method (and HEAD a GET route's) */
    if (rt && strcmp(rt->method, method) != 0 && !(strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
        abort();
    if (strlen(allow) >= sizeof allow) abort();
    router_params_free(&r);
    free(buf);
    return 0;
}
