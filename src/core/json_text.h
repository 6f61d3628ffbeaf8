/* json_text.h — the canonical text of a JSON value as beian stores and hashes it: compact, object
 * members sorted by key, any value at the top (what json_dumps gives with JSON_COMPACT |
 * JSON_SORT_KEYS | JSON_ENCODE_ANY). The text of a stored document, its SHA-256 and the
 * comparison "did the save change anything" all depend on it being byte for byte the same. */
#ifndef BEIAN_JSON_TEXT_H
#define BEIAN_JSON_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

/* How a byte of a string is written in JSON text, as json_dumps writes it without
 * JSON_ESCAPE_SLASH or JSON_ENSURE_ASCII: 0 when as it is (UTF-8 included), else the length of its
 * escape, written to seq — the quote and the backslash escaped, control characters in their short
 * forms where JSON has them, else \u00XX in capitals. Shared by the canonical text here and the
 * replies (http/json_out.c), which must write the same bytes; inline, as both call it per byte. */
static inline bool json_byte_plain(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; }
static inline size_t json_escape_byte(unsigned char c, char seq[8])
{
    if (json_byte_plain(c)) return 0;
    switch (c) {
    case '"': memcpy(seq, "\\\"", 2); return 2;
    case '\\': memcpy(seq, "\\\\", 2); return 2;
    case '\b': memcpy(seq, "\\b", 2); return 2;
    case '\f': memcpy(seq, "\\f", 2); return 2;
    case '\n': memcpy(seq, "\\n", 2); return 2;
    case '\r': memcpy(seq, "\\r", 2); return 2;
    case '\t': memcpy(seq, "\\t", 2); return 2;
    default: snprintf(seq, 8, "\\u%04X", (unsigned)c); return 6;
    }
}

/* How many bytes from s on (at most n) json_escape_byte leaves as they are: eight at a time while
 * none of them is a control character, a quote or a backslash (any byte below 0x20, or equal to
 * one of those two, sets the high bit of its lane), then byte by byte up to the first that is. */
static inline size_t json_plain_run(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, q, b;
        memcpy(&x, s + i, 8);
        q = x ^ (ones * '"');
        b = x ^ (ones * '\\');
        if (((x - ones * 0x20) & ~x & highs) | ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs)) break;
    }
    while (i < n && json_byte_plain((unsigned char)s[i])) i++;
    return i;
}

/* The canonical text (malloc'd, NUL-terminated; *len its length when len is not NULL), or NULL
 * when out of memory. */
char *json_canonical(const json_t *v, size_t *len);
/* Replace obj[key] by a string holding its canonical text (no member: nothing). 0, or -1 when out
 * of memory. */
int json_to_text_member(json_t *obj, const char *key);

#endif
