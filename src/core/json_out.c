/* json_out.c — compact JSON text without json_dumps (json_out.h). */
#include "core/json_out.h"
#include "core/json_text.h"

#include <stdlib.h>
#include <string.h>

void json_out_init(struct json_out *o, size_t hint)
{
    o->len = 0;
    o->cap = hint < 64 ? 64 : hint;
    o->buf = malloc(o->cap);
    o->failed = !o->buf;
    if (o->buf) o->buf[0] = '\0';
    else o->cap = 0;
}

void json_out_fail(struct json_out *o)
{
    free(o->buf);
    o->buf = NULL;
    o->len = o->cap = 0;
    o->failed = true;
}

bool json_out_grow(struct json_out *o, size_t more)
{
    if (o->failed) return false;
    if (o->len + more + 1 <= o->cap) return true;
    size_t cap = o->cap ? o->cap : 64;
    while (cap < o->len + more + 1) cap *= 2;
    char *grown = realloc(o->buf, cap);
    if (!grown) {
        json_out_fail(o);
        return false;
    }
    o->buf = grown;
    o->cap = cap;
    return true;
}

/* As jansson's dump_string without flags: the same escapes as the canonical text
 * (json_escape_byte); everything else, UTF-8 included, as it is. */
void json_out_string(struct json_out *o, const char *s, size_t len)
{
    if (!json_out_grow(o, len + 2)) return;
    o->buf[o->len++] = '"';
    for (size_t i = 0; i < len; i++) {   /* a run of bytes as they are, then one escaped */
        size_t run = json_plain_run(s + i, len - i);
        json_out_raw(o, s + i, run);
        i += run;
        if (i == len) break;
        char seq[8];
        json_out_raw(o, seq, json_escape_byte((unsigned char)s[i], seq));
    }
    json_out_raw(o, "\"", 1);
}

void json_out_int(struct json_out *o, int64_t n)
{
    char num[24], *p = num + sizeof num;   /* written from the last digit back */
    uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;   /* INT64_MIN too */
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (n < 0) *--p = '-';
    json_out_raw(o, p, (size_t)(num + sizeof num - p));
}

void json_out_value(struct json_out *o, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        bool first = true;
        json_out_raw(o, "{", 1);
        json_object_foreach((json_t *)v, key, member) {
            if (!first) json_out_raw(o, ",", 1);
            first = false;
            json_out_string(o, key, strlen(key));
            json_out_raw(o, ":", 1);
            json_out_value(o, member);
        }
        json_out_raw(o, "}", 1);
        break;
    }
    case JSON_ARRAY:
        json_out_raw(o, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i) json_out_raw(o, ",", 1);
            json_out_value(o, json_array_get(v, i));
        }
        json_out_raw(o, "]", 1);
        break;
    case JSON_STRING: json_out_string(o, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: json_out_int(o, json_integer_value(v)); break;
    case JSON_TRUE: json_out_raw(o, "true", 4); break;
    case JSON_FALSE: json_out_raw(o, "false", 5); break;
    case JSON_NULL: json_out_raw(o, "null", 4); break;
    case JSON_REAL: {   /* rare: jansson's own formatting, so the text stays the same */
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!text) {
            json_out_fail(o);
            return;
        }
        json_out_raw(o, text, strlen(text));
        free(text);
        break;
    }
    }
}

char *json_out_take(struct json_out *o, size_t *len)
{
    if (o->failed) return NULL;
    *len = o->len;
    char *text = o->buf;
    o->buf = NULL;
    return text;
}
