/* json_text.c — the canonical text of a JSON value (json_text.h), written directly into one
 * growing buffer (json_out.h). It gives json_dumps' bytes (tests/unit/test_json_text.c compares them) at a
 * fraction of its cost: jansson checks every character of every string as UTF-8 on the way out,
 * sends each piece through a callback and keeps a hash table of the containers it is inside to
 * detect cycles. Here strings are copied in runs between the bytes that need escaping (their
 * UTF-8 was checked when they were made), and depth is bounded instead (a tree this deep, or a
 * cycle, falls back to json_dumps, which says no). Reals are rare in documents and are formatted
 * by jansson itself, so that their digits stay exactly its own. */
#include "core/json_text.h"
#include "core/json_out.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512
#define STACK_KEYS 32

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

static void put_value(struct json_out *t, const json_t *v, int depth);

static void put_object(struct json_out *t, const json_t *v, int depth)
{
    size_t n = json_object_size(v);
    struct key stack[STACK_KEYS], *keys = n <= STACK_KEYS ? stack : malloc(n * sizeof *keys);
    if (!keys) { json_out_fail(t); return; }
    size_t i = 0;
    for (void *it = json_object_iter((json_t *)v); it && i < n; it = json_object_iter_next((json_t *)v, it))
        keys[i++] = (struct key){json_object_iter_key(it), json_object_iter_key_len(it), json_object_iter_value(it)};
    n = i;
    sort_keys(keys, n);
    json_out_raw(t, "{", 1);
    for (i = 0; i < n && !t->failed; i++) {
        if (i) json_out_raw(t, ",", 1);
        json_out_string(t, keys[i].text, keys[i].len);
        json_out_raw(t, ":", 1);
        put_value(t, keys[i].value, depth + 1);
    }
    json_out_raw(t, "}", 1);
    if (keys != stack) free(keys);
}

/* As json_out_value, with object members sorted and the depth bounded. */
static void put_value(struct json_out *t, const json_t *v, int depth)
{
    if (t->failed) return;
    if (!v || depth > MAX_DEPTH) {
        json_out_fail(t);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        json_out_raw(t, "[", 1);
        for (size_t i = 0; i < n && !t->failed; i++) {
            if (i) json_out_raw(t, ",", 1);
            put_value(t, json_array_get(v, i), depth + 1);
        }
        json_out_raw(t, "]", 1);
        return;
    }
    case JSON_OBJECT: put_object(t, v, depth); return;
    default: json_out_value(t, v); return;   /* a scalar */
    }
}

char *json_canonical(const json_t *v, size_t *len)
{
    struct json_out t;
    json_out_init(&t, 256);
    put_value(&t, v, 0);
    size_t n;
    char *text = json_out_take(&t, &n);
    if (!text) {   /* too deep for the walk above, or out of memory: jansson's own answer */
        text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        n = text ? strlen(text) : 0;
    }
    if (len) *len = n;
    return text;
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
