/* fuzz_json_position.c — the line and column of a JSON pointer in a JSON text (core/json_position).
 * The input is a pointer, a NUL byte and a JSON text. Checks: no crash or overread on any text;
 * on every text jansson accepts, every pointer is found (exactly or as its nearest existing
 * parent), positions are 1-based and the end is not before the start. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "core/json_position.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul)
        return 0;
    size_t plen = (size_t)(nul - data);
    char *pointer = malloc(plen + 1);
    if (!pointer)
        return 0;
    memcpy(pointer, data, plen);
    pointer[plen] = '\0';
    const char *text = (const char *)nul + 1;
    size_t len = size - plen - 1;
    /* an exact-size copy, so that ASan sees any read past the end */
    char *copy = malloc(len ? len : 1);
    if (!copy) {
        free(pointer);
        return 0;
    }
    memcpy(copy, text, len);
    struct json_position pos;
    int rc = json_position_find(copy, len, pointer, &pos);
    json_error_t jerr;
    json_t *doc = json_loadb(copy, len, JSON_DECODE_ANY, &jerr);
    bool valid_pointer = !*pointer || *pointer == '/';
    for (const char *c = pointer; valid_pointer && *c; c++)
        if (*c == '~' && c[1] != '0' && c[1] != '1')
            valid_pointer = false;
    /* a raw NUL byte is not JSON (RFC 8259 §7), but jansson stops reading at it and may accept
     * what came before: there the two readers disagree by design, and only the no-crash check holds */
    bool has_nul = memchr(copy, 0, len) != NULL;
    if (doc && valid_pointer && !has_nul && rc != 0)
        abort();
    if (rc == 0 && (pos.line < 1 || pos.column < 1 || pos.end_line < pos.line ||
                    (pos.end_line == pos.line && pos.end_column <= pos.column)))
        abort();
    json_decref(doc);
    free(copy);
    free(pointer);
    return 0;
}
