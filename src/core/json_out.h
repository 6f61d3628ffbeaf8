/* json_out.h — compact JSON text of a jansson value written straight into one growing buffer,
 * byte for byte what json_dumps(JSON_COMPACT) writes (members in their order, strings escaped the
 * same way), without the copies and callbacks of json_dumps; the reply of a filing is written with
 * it (reply_json_spliced), and an audit entry's canonical text member by member. */
#ifndef BEIAN_JSON_OUT_H
#define BEIAN_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <jansson.h>

struct json_out {
    char *buf;       /* malloc'd, NUL-terminated while not failed */
    size_t len, cap;
    bool failed;     /* out of memory (or a value jansson itself cannot write): buf is freed, cap 0 */
};

/* Start with room for about hint bytes. */
void json_out_init(struct json_out *o, size_t hint);
/* Room for more bytes and the NUL after them; false (and nothing written) once anything failed. */
bool json_out_grow(struct json_out *o, size_t more);
/* As it is. Inline: the canonical text and the replies call it per member and per escape. */
static inline void json_out_raw(struct json_out *o, const char *text, size_t len)
{
    if (o->len + len + 1 > o->cap && !json_out_grow(o, len)) return;   /* failed: cap is 0 */
    memcpy(o->buf + o->len, text, len);
    o->len += len;
    o->buf[o->len] = '\0';
}
void json_out_string(struct json_out *o, const char *s, size_t len);   /* quoted and escaped */
void json_out_int(struct json_out *o, int64_t n);                      /* as jansson writes it */
void json_out_value(struct json_out *o, const json_t *v);
/* Give up (a value too deep, say): the buffer is freed and json_out_take says NULL. */
void json_out_fail(struct json_out *o);
/* The text (the caller frees it) and its length; NULL when anything failed. */
char *json_out_take(struct json_out *o, size_t *len);

#endif
