/* json_text.c — the canonical text of a JSON value (json_text.h), written directly into one
 * growing buffer. It gives json_dumps' bytes (tests/unit/test_json_text.c compares them) at a
 * fraction of its cost: jansson checks every character of every string as UTF-8 on the way out,
 * sends each piece through a callback and keeps a hash table of the containers it is inside to
 * detect cycles. Here strings are copied in runs between the bytes that need escaping (their
 * UTF-8 was checked when they were made), and depth is bounded instead (a tree this deep, or a
 * cycle, falls back to json_dumps, which says no). Reals are rare in documents and are formatted
 * by jansson itself, so that their digits stay exactly its own. */
#include "core/json_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512
#define STACK_KEYS 32

struct text { char *p; size_t len, cap; bool failed; };

static bool reserve(struct text *t, size_t more)
{
    if (t->failed) return false;
    if (t->len + more + 1 <= t->cap) return true;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + more + 1) cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) { t->failed = true; return false; }
    t->p = p;
    t->cap = cap;
    return true;
}

static void put(struct text *t, const char *s, size_t n)
{
    if (!reserve(t, n)) return;
    memcpy(t->p + t->len, s, n);
    t->len += n;
}

static void put_char(struct text *t, char c)
{
    if (!reserve(t, 1)) return;
    t->p[t->len++] = c;
}

static void put_string(struct text *t, const char *s, size_t n)
{
    put_char(t, '"');
    for (size_t i = 0; i < n; i++) {   /* a run of bytes as they are, then one escaped */
        size_t run = json_plain_run(s + i, n - i);
        put(t, s + i, run);
        i += run;
        if (i == n) break;
        char seq[8];
        put(t, seq, json_escape_byte((unsigned char)s[i], seq));
    }
    put_char(t, '"');
}

struct key { const char *text; size_t len; const json_t *value; };

/* json_dumps' order: bytes compared as unsigned, a prefix first */
static int key_cmp(const struct key *a, const struct key *b)
{
    int r = memcmp(a->text, b->text, a->len < b->len ? a->len : b->len);
    return r ? r : (a->len > b->len) - (a->len < b->len);
}

static int key_cmp_qsort(const void *a, const void *b) { return key_cmp(a, b); }

static void sort_keys(struct key *keys, size_t n)
{
    if (n > 16) {
        qsort(keys, n, sizeof *keys, key_cmp_qsort);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        struct key k = keys[i];
        size_t j = i;
        while (j > 0 && key_cmp(&keys[j - 1], &k) > 0) {
            keys[j] = keys[j - 1];
            j--;
        }
        keys[j] = k;
    }
}

static void put_value(struct text *t, const json_t *v, int depth);

/* A member whose value is written as given text (json_canonical_spliced), or none. */
struct splice { const char *key, *text; size_t len; };

static void put_object(struct text *t, const json_t *v, int depth, const struct splice *sp)
{
    size_t n = json_object_size(v);
    struct key stack[STACK_KEYS], *keys = n <= STACK_KEYS ? stack : malloc(n * sizeof *keys);
    if (!keys) { t->failed = true; return; }
    size_t i = 0;
    for (void *it = json_object_iter((json_t *)v); it && i < n; it = json_object_iter_next((json_t *)v, it))
        keys[i++] = (struct key){json_object_iter_key(it), json_object_iter_key_len(it), json_object_iter_value(it)};
    n = i;
    sort_keys(keys, n);
    put_char(t, '{');
    for (i = 0; i < n && !t->failed; i++) {
        if (i) put_char(t, ',');
        put_string(t, keys[i].text, keys[i].len);
        put_char(t, ':');
        if (sp && strlen(sp->key) == keys[i].len && memcmp(sp->key, keys[i].text, keys[i].len) == 0)
            put(t, sp->text, sp->len);
        else
            put_value(t, keys[i].value, depth + 1);
    }
    put_char(t, '}');
    if (keys != stack) free(keys);
}

static void put_value(struct text *t, const json_t *v, int depth)
{
    if (t->failed) return;
    if (!v || depth > MAX_DEPTH) { t->failed = true; return; }
    switch (json_typeof(v)) {
    case JSON_NULL: put(t, "null", 4); return;
    case JSON_TRUE: put(t, "true", 4); return;
    case JSON_FALSE: put(t, "false", 5); return;
    case JSON_INTEGER: {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        put(t, buf, (size_t)n);
        return;
    }
    case JSON_REAL: {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!s) { t->failed = true; return; }
        put(t, s, strlen(s));
        free(s);
        return;
    }
    case JSON_STRING: put_string(t, json_string_value(v), json_string_length(v)); return;
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        put_char(t, '[');
        for (size_t i = 0; i < n && !t->failed; i++) {
            if (i) put_char(t, ',');
            put_value(t, json_array_get(v, i), depth + 1);
        }
        put_char(t, ']');
        return;
    }
    case JSON_OBJECT: put_object(t, v, depth, NULL); return;
    }
    t->failed = true;
}

char *json_canonical(const json_t *v, size_t *len)
{
    struct text t = {0};
    put_value(&t, v, 0);
    if (t.failed || !t.p) {
        free(t.p);
        /* too deep for the walk above, or out of memory: jansson's own answer */
        char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (text && len) *len = strlen(text);
        return text;
    }
    t.p[t.len] = 0;
    if (len) *len = t.len;
    return t.p;
}

char *json_canonical_spliced(const json_t *obj, const char *key, const char *text, size_t text_len, size_t *len)
{
    if (!json_is_object(obj) || !json_object_get(obj, key)) return NULL;
    struct splice sp = {key, text, text_len};
    struct text t = {0};
    put_object(&t, obj, 0, &sp);
    if (t.failed || !t.p) {   /* too deep or out of memory: no fallback that could splice */
        free(t.p);
        return NULL;
    }
    t.p[t.len] = 0;
    if (len) *len = t.len;
    return t.p;
}

int json_to_text_member(json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) return 0;
    size_t len;
    char *text = json_canonical(v, &len);
    /* the text of a tree whose strings jansson checked: valid UTF-8, no need to check it again */
    json_t *s = text ? json_stringn_nocheck(text, len) : NULL;
    free(text);
    if (!s) return -1;
    return json_object_set_new(obj, key, s);
}
