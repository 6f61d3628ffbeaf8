/* docdiff.c — field-level difference of two JSON documents (for reviewers: "what changed since
 * the last version") and RFC 7396 JSON merge patch (for partial updates of a draft).
 *
 * Both walk the documents recursively. The JSON parser already bounds nesting, but these
 * functions also accept documents built in code, so they stop descending at DOC_MAX_DEPTH and
 * treat anything deeper as one value (a whole-value "replace" in the diff, a whole-value copy in
 * the merge patch). Results never share memory with the inputs. */
#include "docdiff.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { DOC_MAX_DEPTH = 64 };

/* jansson's iteration API takes non-const pointers although iterating does not modify; this
 * one cast keeps the public functions const-correct. */
static json_t *unconst(const json_t *value)
{
    return (json_t *)value;
}

void json_pointer_escape(const char *key, char *buf, unsigned len)
{
    if (!buf || len == 0)
        return;
    unsigned used = 0;
    for (const char *p = key ? key : ""; *p; p++) {
        const char *piece = *p == '~' ? "~0" : *p == '/' ? "~1" : NULL;
        unsigned piece_len = piece ? 2 : 1;
        if (used + piece_len >= len)
            break;  /* truncate, never in the middle of an escape */
        if (piece) {
            buf[used++] = piece[0];
            buf[used++] = piece[1];
        } else {
            buf[used++] = *p;
        }
    }
    buf[used] = '\0';
}

/* ---- diff ------------------------------------------------------------------------------ */

struct diff_state {
    json_t *changes;  /* the array being built */
    char *path;       /* current JSON pointer, NUL-terminated */
    size_t path_len;
    size_t path_cap;
    bool failed;      /* out of memory somewhere; the result is discarded */
};

static bool path_reserve(struct diff_state *st, size_t extra)
{
    size_t needed = st->path_len + extra + 1;
    if (needed <= st->path_cap)
        return true;
    size_t capacity = st->path_cap ? st->path_cap : 128;
    while (capacity < needed)
        capacity *= 2;
    char *path = realloc(st->path, capacity);
    if (!path) {
        st->failed = true;
        return false;
    }
    st->path = path;
    st->path_cap = capacity;
    return true;
}

/* Appends "/" + the escaped key; returns the previous length for path_pop. */
static size_t path_push_key(struct diff_state *st, const char *key)
{
    size_t saved = st->path_len;
    size_t escaped = 1;
    for (const char *p = key; *p; p++)
        escaped += (*p == '~' || *p == '/') ? 2 : 1;
    if (!path_reserve(st, escaped))
        return saved;
    char *out = st->path + st->path_len;
    *out++ = '/';
    for (const char *p = key; *p; p++) {
        if (*p == '~' || *p == '/') {
            *out++ = '~';
            *out++ = *p == '~' ? '0' : '1';
        } else {
            *out++ = *p;
        }
    }
    *out = '\0';
    st->path_len = (size_t)(out - st->path);
    return saved;
}

static size_t path_push_index(struct diff_state *st, size_t index)
{
    char digits[32];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + index % 10);
        index /= 10;
    } while (index);
    char key[32];
    for (size_t i = 0; i < n; i++)
        key[i] = digits[n - 1 - i];
    key[n] = '\0';
    return path_push_key(st, key);
}

static void path_pop(struct diff_state *st, size_t saved)
{
    st->path_len = saved;
    if (st->path)
        st->path[saved] = '\0';
}

/* Appends one change; from/to may be NULL (omitted). Values are deep-copied. */
static void emit_change(struct diff_state *st, const char *op, const json_t *from, const json_t *to)
{
    if (st->failed)
        return;
    json_t *change = json_object();
    if (!change || json_object_set_new(change, "path", json_string(st->path ? st->path : "")) ||
        json_object_set_new(change, "op", json_string(op)) ||
        (from && json_object_set_new(change, "from", json_deep_copy(from))) ||
        (to && json_object_set_new(change, "to", json_deep_copy(to)))) {
        json_decref(change);
        st->failed = true;
        return;
    }
    if (json_array_append_new(st->changes, change) != 0)  /* steals change even on failure */
        st->failed = true;
}

static void diff_value(struct diff_state *st, const json_t *from, const json_t *to, int depth);

static void diff_object(struct diff_state *st, const json_t *from, const json_t *to, int depth)
{
    const char *key;
    json_t *from_member, *to_member;
    /* Members of `from` in its order (changed or removed), then members only `to` has. */
    json_object_foreach(unconst(from), key, from_member) {
        if (st->failed)
            return;
        size_t saved = path_push_key(st, key);
        to_member = json_object_get(to, key);
        if (to_member)
            diff_value(st, from_member, to_member, depth + 1);
        else
            emit_change(st, "remove", from_member, NULL);
        path_pop(st, saved);
    }
    json_object_foreach(unconst(to), key, to_member) {
        if (st->failed)
            return;
        if (json_object_get(from, key))
            continue;
        size_t saved = path_push_key(st, key);
        emit_change(st, "add", NULL, to_member);
        path_pop(st, saved);
    }
}

static void diff_array(struct diff_state *st, const json_t *from, const json_t *to, int depth)
{
    size_t from_size = json_array_size(from), to_size = json_array_size(to);
    size_t common = from_size < to_size ? from_size : to_size;
    for (size_t i = 0; i < common && !st->failed; i++) {
        size_t saved = path_push_index(st, i);
        diff_value(st, json_array_get(from, i), json_array_get(to, i), depth + 1);
        path_pop(st, saved);
    }
    for (size_t i = common; i < from_size && !st->failed; i++) {
        size_t saved = path_push_index(st, i);
        emit_change(st, "remove", json_array_get(from, i), NULL);
        path_pop(st, saved);
    }
    for (size_t i = common; i < to_size && !st->failed; i++) {
        size_t saved = path_push_index(st, i);
        emit_change(st, "add", NULL, json_array_get(to, i));
        path_pop(st, saved);
    }
}

static void diff_value(struct diff_state *st, const json_t *from, const json_t *to, int depth)
{
    if (st->failed)
        return;
    if (depth < DOC_MAX_DEPTH && json_is_object(from) && json_is_object(to))
        diff_object(st, from, to, depth);
    else if (depth < DOC_MAX_DEPTH && json_is_array(from) && json_is_array(to))
        diff_array(st, from, to, depth);
    else if (!json_equal(unconst(from), unconst(to)))
        emit_change(st, "replace", from, to);
}

json_t *docdiff(const json_t *from, const json_t *to)
{
    json_t *empty = json_object();
    struct diff_state st = {.changes = json_array()};
    if (!empty || !st.changes || !path_reserve(&st, 0)) {
        json_decref(empty);
        json_decref(st.changes);
        free(st.path);
        return NULL;
    }
    st.path[0] = '\0';
    diff_value(&st, from ? from : empty, to ? to : empty, 0);
    json_decref(empty);
    free(st.path);
    if (st.failed) {
        json_decref(st.changes);
        return NULL;
    }
    return st.changes;
}

/* ---- merge patch (RFC 7396) -------------------------------------------------------------- */

static json_t *merge_value(const json_t *target, const json_t *patch, int depth);

/* Object patch applied to target (any value; a non-object target counts as {}). The result
 * keeps target's member order, replacing in place, and appends members the patch adds. */
static json_t *merge_object(const json_t *target, const json_t *patch, int depth)
{
    json_t *result = json_object();
    if (!result)
        return NULL;
    const char *key;
    json_t *value;
    if (json_is_object(target)) {
        json_object_foreach(unconst(target), key, value) {
            json_t *patch_value = json_object_get(patch, key);
            if (json_is_null(patch_value))
                continue;  /* null removes the member */
            json_t *merged = patch_value ? merge_value(value, patch_value, depth + 1)
                                         : json_deep_copy(value);
            if (json_object_set_new(result, key, merged) != 0)
                goto fail;
        }
    }
    json_object_foreach(unconst(patch), key, value) {
        if (json_is_null(value) || json_object_get(target, key))
            continue;  /* removals and members of target were handled above */
        if (json_object_set_new(result, key, merge_value(NULL, value, depth + 1)) != 0)
            goto fail;
    }
    return result;
fail:
    json_decref(result);
    return NULL;
}

static json_t *merge_value(const json_t *target, const json_t *patch, int depth)
{
    if (json_is_object(patch) && depth < DOC_MAX_DEPTH)
        return merge_object(target, patch, depth);
    return json_deep_copy(patch);
}

json_t *merge_patch(const json_t *target, const json_t *patch)
{
    /* A missing patch changes nothing; a missing target is absent (RFC 7396 treats it like a
     * non-object: an object patch starts from {}). */
    if (!patch)
        return target ? json_deep_copy(target) : json_null();
    return merge_value(target, patch, 0);
}
