/* fuzz_document.c — a JSON request body as the API reads it (jansson, as http_body_json does)
 * and the document shape check of the default pack, plus completeness. */
#include <stdint.h>
#include <stdlib.h>
#include <jansson.h>
#include "fuzz_common.h"
#include "policy/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct pack *p = fuzz_default_pack();
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) return 0;
    json_t *f = schema_check_shape(p, doc);
    if (!f || !json_is_array(f)) abort();
    json_decref(f);
    json_decref(doc);
    return 0;
}
