/* fuzz_json_read.c — json_read (core/json_read) answers as json_loadb does. The input is one byte
 * choosing the flags and a JSON text. Checks: no crash or overread on any text; both give NULL,
 * or trees with the same json_dumps text; and the same error struct (message, source, line,
 * column, position), on success too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "core/json_read.h"

static const size_t FLAGS[] = {0, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, JSON_DECODE_ANY | JSON_ALLOW_NUL,
                               JSON_REJECT_DUPLICATES};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t flags = FLAGS[data[0] % (sizeof FLAGS / sizeof FLAGS[0])];
    size_t len = size - 1;
    /* an exact-size copy, so that ASan sees any read past the end */
    char *text = malloc(len ? len : 1);
    if (!text)
        return 0;
    memcpy(text, data + 1, len);
    json_error_t want_err, got_err;
    json_t *want = json_loadb(text, len, flags, &want_err);
    json_t *got = json_read(text, len, flags, &got_err);
    /* the error struct as jansson leaves it, on success too */
    if (strcmp(want_err.text, got_err.text) != 0 || strcmp(want_err.source, got_err.source) != 0 ||
        want_err.line != got_err.line || want_err.column != got_err.column || want_err.position != got_err.position)
        abort();
    if (!want || !got) {
        if (want || got)
            abort();
    } else {
        char *a = json_dumps(want, JSON_ENCODE_ANY), *b = json_dumps(got, JSON_ENCODE_ANY);
        if (!a || !b || strcmp(a, b) != 0 || !json_equal(want, got))
            abort();
        free(a);
        free(b);
    }
    json_decref(want);
    json_decref(got);
    free(text);
    return 0;
}
