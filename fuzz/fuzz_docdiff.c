/* fuzz_docdiff.c — merge patch (RFC 7396) and the field-by-field diff. The input is two JSON
 * texts separated by a NUL byte: a target document and a patch. Checks: patching never fails for
 * an object patch, the diff of a document with itself is empty, and the diff of target and
 * patched is an array; the RFC 6901 escape of every key fits its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "core/docdiff.h"

static void escape_keys(const json_t *v)
{
    const char *k;
    json_t *x;
    size_t i;
    char buf[64];
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, x) {
            json_pointer_escape(k, buf, sizeof buf);
            if (strlen(buf) >= sizeof buf) abort();
            escape_keys(x);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) escape_keys(x);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t alen = nul ? (size_t)(nul - data) : size;
    json_error_t jerr;
    json_t *a = json_loadb((const char *)data, alen, JSON_DECODE_ANY, &jerr);
    json_t *b = nul ? json_loadb((const char *)nul + 1, size - alen - 1, JSON_DECODE_ANY, &jerr) : NULL;
    if (a) {
        escape_keys(a);
        json_t *self = docdiff(a, a);
        if (!self || !json_is_array(self) || json_array_size(self) != 0) abort();
        json_decref(self);
    }
    if (a && b) {
        json_t *m = merge_patch(a, b);
        if (json_is_object(b) && !m) abort();
        if (m) {
            json_t *d = docdiff(a, m);
            if (!d || !json_is_array(d)) abort();
            json_decref(d);
            /* applying a non-object patch yields the patch itself */
            if (!json_is_object(b) && !json_equal(m, b)) abort();
            json_decref(m);
        }
        json_t *d2 = docdiff(a, b);
        json_decref(d2);
    }
    json_decref(a);
    json_decref(b);
    return 0;
}
