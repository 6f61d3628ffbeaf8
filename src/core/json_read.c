/* json_read.c — JSON text to a jansson tree, the common case fast and the rest by json_loadb
 * (json_read.h). */
#include "core/json_read.h"
#include "core/hex.h"
#include "core/utf8.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    TAKEN_FLAGS = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL,
    MAX_DEPTH = 512,   /* deeper: jansson's own limit (2048) and message */
};

static atomic_ulong handed_over;

unsigned long json_read_handed_over(void) { return atomic_load(&handed_over); }

struct reader {
    const char *at, *end;
    size_t flags;
    int depth, max_depth;
    bool bail;      /* hand the text to jansson */
    bool too_deep;  /* past max_depth below MAX_DEPTH: refused, not handed over */
    char *buf;      /* a string's unescaped bytes */
    size_t cap;
};

/* the bytes a string's plain run stops at: '"', '\\' and the control characters */
static const bool STOPS_STRING[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
    [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
    [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
    [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
    ['"'] = 1, ['\\'] = 1,
};

static json_t *bail(struct reader *r)
{
    r->bail = true;
    return NULL;
}

static void skip_space(struct reader *r)
{
    while (r->at < r->end && (*r->at == ' ' || *r->at == '\n' || *r->at == '\r' || *r->at == '\t')) r->at++;
}

static bool reserve(struct reader *r, size_t n)
{
    if (n <= r->cap) return true;
    size_t cap = r->cap ? r->cap : 256;
    while (cap < n) cap *= 2;
    char *b = realloc(r->buf, cap);
    if (!b) return false;
    r->buf = b;
    r->cap = cap;
    return true;
}

/* The string whose opening quote r->at is past: its bytes (in the text, or unescaped in r->buf)
 * and length; false to bail. */
static bool read_string(struct reader *r, const char **text, size_t *len)
{
    const char *start = r->at, *p = start;
    while (p < r->end && !STOPS_STRING[(unsigned char)*p]) p++;
    if (p < r->end && *p == '"') {   /* no escapes: the text's own bytes */
        if (!utf8_valid(start, (size_t)(p - start))) return false;
        *text = start;
        *len = (size_t)(p - start);
        r->at = p + 1;
        return true;
    }
    /* escapes: the raw span up to the closing quote, checked, then unescaped */
    const char *q = p;
    for (;;) {
        while (q < r->end && !STOPS_STRING[(unsigned char)*q]) q++;
        if (q >= r->end || (unsigned char)*q < 0x20) return false;
        if (*q == '"') break;
        if (q + 1 >= r->end) return false;
        q += 2;   /* the escaped character; \uXXXX's digits are plain */
    }
    if (!utf8_valid(start, (size_t)(q - start)) || !reserve(r, (size_t)(q - start))) return false;
    size_t n = (size_t)(p - start);
    memcpy(r->buf, start, n);
    while (p < q) {
        if (*p != '\\') {
            r->buf[n++] = *p++;
            continue;
        }
        char c = p[1];
        p += 2;
        switch (c) {
        case '"': r->buf[n++] = '"'; break;
        case '\\': r->buf[n++] = '\\'; break;
        case '/': r->buf[n++] = '/'; break;
        case 'b': r->buf[n++] = '\b'; break;
        case 'f': r->buf[n++] = '\f'; break;
        case 'n': r->buf[n++] = '\n'; break;
        case 'r': r->buf[n++] = '\r'; break;
        case 't': r->buf[n++] = '\t'; break;
        case 'u': {
            if (q - p < 4) return false;
            int cp = hex4(p);
            p += 4;
            if (cp <= 0) return false;   /* bad digits, or \u0000: jansson's rules and message */
            if (cp >= 0xdc00 && cp <= 0xdfff) return false;   /* a low surrogate alone */
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (q - p < 6 || p[0] != '\\' || p[1] != 'u') return false;
                int low = hex4(p + 2);
                if (low < 0xdc00 || low > 0xdfff) return false;
                p += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            }
            /* \uXXXX is six bytes of text and at most four of UTF-8; a pair twelve and four */
            n += utf8_put(r->buf + n, (uint32_t)cp);
            break;
        }
        default: return false;
        }
    }
    *text = r->buf;
    *len = n;
    r->at = q + 1;
    return true;
}

static json_t *read_value(struct reader *r);

/* After an opening bracket: the space skipped, and the closing bracket of an empty one taken. */
static bool closes_at_once(struct reader *r, char close)
{
    skip_space(r);
    if (r->at >= r->end || *r->at != close) return false;
    r->at++;
    return true;
}

static json_t *read_object(struct reader *r)
{
    json_t *obj = json_object();
    if (!obj) return bail(r);
    if (closes_at_once(r, '}')) return obj;
    for (;;) {
        const char *key;
        size_t key_len;
        if (r->at >= r->end || *r->at != '"') goto fail;
        r->at++;
        if (!read_string(r, &key, &key_len)) goto fail;
        /* the key may sit in r->buf, which the value's strings reuse: keep it apart when so */
        char small[64], *copy = NULL;
        if (key == r->buf) {
            copy = key_len < sizeof small ? small : malloc(key_len + 1);
            if (!copy) goto fail;
            memcpy(copy, key, key_len);
            key = copy;
        }
        skip_space(r);
        json_t *v = NULL;
        if (r->at < r->end && *r->at == ':') {
            r->at++;
            skip_space(r);
            v = read_value(r);
        }
        /* a key already there replaces its value and leaves the size as it was: a duplicate,
         * found without a lookup of its own (jansson's message comes from the fallback) */
        size_t members = json_object_size(obj);
        int set = v ? json_object_setn_new_nocheck(obj, key, key_len, v) : -1;
        if (copy && copy != small) free(copy);
        if (set != 0 || ((r->flags & JSON_REJECT_DUPLICATES) && json_object_size(obj) == members)) goto fail;
        skip_space(r);
        if (r->at >= r->end) goto fail;
        if (*r->at == '}') {
            r->at++;
            return obj;
        }
        if (*r->at != ',') goto fail;
        r->at++;
        skip_space(r);
    }
fail:
    json_decref(obj);
    return bail(r);
}

static json_t *read_array(struct reader *r)
{
    json_t *arr = json_array();
    if (!arr) return bail(r);
    if (closes_at_once(r, ']')) return arr;
    for (;;) {
        json_t *v = read_value(r);
        if (!v || json_array_append_new(arr, v) != 0) break;
        skip_space(r);
        if (r->at >= r->end) break;
        if (*r->at == ']') {
            r->at++;
            return arr;
        }
        if (*r->at != ',') break;
        r->at++;
        skip_space(r);
    }
    json_decref(arr);
    return bail(r);
}

/* An integer as jansson takes it (-?(0|[1-9][0-9]*), within json_int_t); reals and the rest bail. */
static json_t *read_number(struct reader *r)
{
    const char *p = r->at;
    bool negative = p < r->end && *p == '-';
    if (negative) p++;
    if (p >= r->end || *p < '0' || *p > '9') return bail(r);
    uint64_t v = 0;
    const uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (*p == '0') {
        p++;
    } else {
        while (p < r->end && *p >= '0' && *p <= '9') {
            unsigned d = (unsigned)(*p - '0');
            if (v > (limit - d) / 10) return bail(r);
            v = v * 10 + d;
            p++;
        }
    }
    if (p < r->end && (*p == '.' || *p == 'e' || *p == 'E' || (*p >= '0' && *p <= '9'))) return bail(r);
    r->at = p;
    json_int_t n = negative ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(json_int_t)v) : (json_int_t)v;
    json_t *out = json_integer(n);
    return out ? out : bail(r);
}

static bool literal(struct reader *r, const char *word, size_t len)
{
    if ((size_t)(r->end - r->at) < len || memcmp(r->at, word, len) != 0) return false;
    r->at += len;
    return true;
}

static json_t *read_value(struct reader *r)
{
    if (r->at >= r->end) return bail(r);
    json_t *v = NULL;
    switch (*r->at) {
    case '{':
    case '[':
        if (++r->depth > r->max_depth) {
            r->too_deep = r->max_depth < MAX_DEPTH;
            return bail(r);
        }
        r->at++;
        v = *(r->at - 1) == '{' ? read_object(r) : read_array(r);
        r->depth--;
        return v;
    case '"': {
        r->at++;
        const char *text;
        size_t len;
        if (!read_string(r, &text, &len)) return bail(r);
        v = json_stringn_nocheck(text, len);
        return v ? v : bail(r);
    }
    case 't': return literal(r, "true", 4) ? json_true() : bail(r);
    case 'f': return literal(r, "false", 5) ? json_false() : bail(r);
    case 'n': return literal(r, "null", 4) ? json_null() : bail(r);
    default: return read_number(r);
    }
}

/* The text read here, or NULL: the caller hands it to jansson, unless *too_deep (nesting past
 * max_depth, when that is below MAX_DEPTH). */
static json_t *read_here(const char *buf, size_t len, size_t flags, int max_depth, bool *too_deep)
{
    *too_deep = false;
    if (flags & ~(size_t)TAKEN_FLAGS) return NULL;
    struct reader r = {.at = buf, .end = buf + len, .flags = flags, .max_depth = max_depth};
    skip_space(&r);
    json_t *v = NULL;
    if (r.at < r.end && ((flags & JSON_DECODE_ANY) || *r.at == '{' || *r.at == '[')) v = read_value(&r);
    skip_space(&r);
    free(r.buf);
    if (v && !r.bail && r.at == r.end) return v;
    json_decref(v);
    *too_deep = r.too_deep;
    return NULL;
}

/* Deepest nesting of [ and { outside strings; stops counting once above limit. A string is
 * skipped to its closing quote with memchr: a quote after an odd run of backslashes is escaped.
 * For texts the reader above handed over: it may have stopped before it got deep. */
static int nesting_depth(const char *s, size_t len, int limit)
{
    int depth = 0, deepest = 0;
    for (size_t i = 0; i < len && deepest <= limit; i++) {
        char c = s[i];
        if (c == '"') {
            for (;;) {
                const char *q = memchr(s + i + 1, '"', len - i - 1);
                if (!q) return deepest;   /* an unterminated string: the parser says so */
                i = (size_t)(q - s);
                size_t run = 0;   /* stops at the opening quote at the latest */
                while (s[i - 1 - run] == '\\') run++;
                if (run % 2 == 0) break;
            }
        } else if (c == '[' || c == '{') {
            if (++depth > deepest) deepest = depth;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return deepest;
}

/* error as jansson leaves it after a whole text was read */
static void read_whole(json_error_t *error, const char *source, size_t len)
{
    if (!error) return;
    memset(error, 0, sizeof *error);
    error->line = error->column = -1;
    error->position = (int)len;
    snprintf(error->source, sizeof error->source, "%s", source);
}

json_t *json_read(const char *buf, size_t len, size_t flags, json_error_t *error)
{
    bool too_deep;
    json_t *v = buf ? read_here(buf, len, flags, MAX_DEPTH, &too_deep) : NULL;
    if (!v) {
        atomic_fetch_add(&handed_over, 1);
        return json_loadb(buf, len, flags, error);   /* jansson's answer, and its message */
    }
    read_whole(error, "<buffer>", len);
    return v;
}

json_t *json_read_bounded(const char *buf, size_t len, size_t flags, int max_depth, bool *too_deep,
                          json_error_t *error)
{
    if (max_depth < 1 || max_depth >= MAX_DEPTH) max_depth = MAX_DEPTH - 1;
    json_t *v = buf ? read_here(buf, len, flags, max_depth, too_deep) : NULL;
    if (v) {
        read_whole(error, "<buffer>", len);
        return v;
    }
    if (*too_deep || (buf && nesting_depth(buf, len, max_depth) > max_depth)) {
        *too_deep = true;
        return NULL;
    }
    atomic_fetch_add(&handed_over, 1);
    return json_loadb(buf, len, flags, error);
}

json_t *json_read_text(const char *text, size_t flags, json_error_t *error)
{
    size_t len = text ? strlen(text) : 0;
    bool too_deep;
    json_t *v = text ? read_here(text, len, flags, MAX_DEPTH, &too_deep) : NULL;
    if (!v) {
        atomic_fetch_add(&handed_over, 1);
        return json_loads(text, flags, error);
    }
    read_whole(error, "<string>", len);
    return v;
}
