/* router.c — match "METHOD /path" against a table of patterns such as
 * "/api/v1/filings/{id}/actions/{action}".
 *
 * The path is the raw request path (still percent-encoded). It is split on '/' first and each
 * segment decoded afterwards, so an encoded slash (%2F) can never create or hide a segment; a
 * segment that decodes to something containing '/' or NUL, that has a broken escape or that is
 * not UTF-8 matches nothing. A {name} segment matches one non-empty segment.
 *
 * Resolution is path first, method second: among the patterns that match the path the most
 * specific one wins (at the first position where two differ, a literal beats a placeholder, so
 * /filings/export beats /filings/{id}); the routes sharing that pattern's shape are the
 * resource's methods. Thus PATCH /filings/export is a 405 (Allow: GET), not PATCH /filings/{id}
 * with id "export". */
#include "http/http.h"
#include "core/hex.h"
#include "core/utf8.h"

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUTER_MAX_SEGMENTS 32

/* The request path, split and decoded. seg[i] points into one heap buffer. */
struct decoded_path {
    size_t n;
    const char *seg[ROUTER_MAX_SEGMENTS];
    size_t len[ROUTER_MAX_SEGMENTS];
    bool usable[ROUTER_MAX_SEGMENTS];
    char *buf;
};

/* What the check of the query arguments found: ok, else the name of the first bad one ("" when
 * the name itself is the bad part). */
struct query_verdict { bool ok; char name[64]; };

/* MHD iterator over the query arguments: stops at a name or value that holds a NUL (its decoded
 * length is longer than the C string) or is not UTF-8. */
static enum MHD_Result query_argument_acceptable(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                                 const char *value, size_t value_size)
{
    struct query_verdict *v = cls;
    (void)kind;
    bool name_ok = key && strlen(key) == key_size && utf8_valid(key, key_size);
    if (name_ok && (!value || (strlen(value) == value_size && utf8_valid(value, value_size))))
        return MHD_YES;
    v->ok = false;
    if (name_ok && key_size < sizeof v->name) memcpy(v->name, key, key_size + 1);
    return MHD_NO;
}

int http_query_check(struct http_req *r, struct err *e)
{
    struct query_verdict v = {.ok = true};
    if (r && r->conn) MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, query_argument_acceptable, &v);
    if (v.ok) return 0;
    return err_set(e, ERR_BAD_QUERY, v.name, "a query parameter holds a NUL character or is not valid UTF-8",
                   "查询参数中含有 NUL 字符或不是有效的 UTF-8");
}

/* Decode raw[0..len) into out (NUL-terminated). Returns false when the segment may not match
 * anything: broken escape, decoded '/' or NUL, invalid UTF-8. */
static bool decode_segment(const char *raw, size_t len, char *out)
{
    size_t o = 0;
    bool ok = true;
    for (size_t i = 0; i < len; i++) {
        char c = raw[i];
        if (c == '%') {
            if (len - i < 3 || hex_digit(raw[i + 1]) < 0 || hex_digit(raw[i + 2]) < 0) {
                ok = false;
                out[o++] = c;
                continue;
            }
            c = (char)(hex_digit(raw[i + 1]) * 16 + hex_digit(raw[i + 2]));
            i += 2;
            if (c == '/' || c == '\0') { ok = false; c = '?'; }
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return ok && utf8_valid(out, o);
}

/* Split the raw path. Returns false when it cannot match any pattern (no leading '/', too many
 * segments, out of memory). */
static bool decode_path(const char *path, struct decoded_path *dp)
{
    memset(dp, 0, sizeof *dp);
    if (!path || path[0] != '/') return false;
    size_t len = strlen(path);
    dp->buf = malloc(len + 1);
    if (!dp->buf) return false;
    char *out = dp->buf;
    const char *p = path + 1;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t seglen = end ? (size_t)(end - p) : strlen(p);
        if (dp->n == ROUTER_MAX_SEGMENTS) { free(dp->buf); dp->buf = NULL; return false; }
        dp->usable[dp->n] = decode_segment(p, seglen, out);
        dp->len[dp->n] = strlen(out);
        dp->seg[dp->n++] = out;
        out += dp->len[dp->n - 1] + 1;
        if (!end) break;
        p = end + 1;
    }
    return true;
}

/* Pattern segments: [start, start+len). Advances *cursor; returns false at the end. */
static bool next_pattern_segment(const char **cursor, const char **start, size_t *len)
{
    const char *p = *cursor;
    if (!p) return false;
    const char *end = strchr(p, '/');
    *start = p;
    *len = end ? (size_t)(end - p) : strlen(p);
    *cursor = end ? end + 1 : NULL;
    return true;
}

static bool is_placeholder(const char *seg, size_t len)
{
    return len >= 2 && seg[0] == '{' && seg[len - 1] == '}';
}

/* The API table's patterns split once (the first router_match of API_ROUTES): each route's
 * number of segments and its first HEAD_SEGMENTS segments (NULL: a placeholder), which turn
 * away every route of a literal segment that differs (the API's patterns are all within eight)
 * without walking its pattern: the walk is left for the few that match. Other tables are walked
 * each time. */
#define HEAD_SEGMENTS 8
struct pattern_head { size_t nseg; const char *seg[HEAD_SEGMENTS]; size_t len[HEAD_SEGMENTS]; };
static struct pattern_head api_heads[256];
static bool api_heads_ready;
static pthread_once_t api_heads_once = PTHREAD_ONCE_INIT;

static void api_heads_build(void)
{
    if (API_ROUTES_COUNT > sizeof api_heads / sizeof api_heads[0]) return;   /* walked instead */
    for (size_t i = 0; i < API_ROUTES_COUNT; i++) {
        const char *p = API_ROUTES[i].pattern;
        struct pattern_head *h = &api_heads[i];
        if (!p || p[0] != '/') { h->nseg = SIZE_MAX; continue; }
        h->nseg = 1;
        for (const char *c = p + 1; *c; c++) h->nseg += *c == '/';
        const char *seg = p + 1;
        for (size_t k = 0; k < HEAD_SEGMENTS && k < h->nseg; k++) {
            size_t len = strcspn(seg, "/");
            h->seg[k] = is_placeholder(seg, len) ? NULL : seg;
            h->len[k] = len;
            seg += len + (seg[len] == '/');
        }
    }
    api_heads_ready = true;
}

/* False when route i of table cannot match dp (its head says so); true: walk the pattern. */
static bool head_may_match(const struct route *table, size_t i, const struct decoded_path *dp)
{
    if (table != API_ROUTES || !api_heads_ready) return true;
    const struct pattern_head *h = &api_heads[i];
    if (h->nseg != dp->n) return false;
    for (size_t k = 0; k < HEAD_SEGMENTS && k < h->nseg; k++)
        if (h->seg[k] && (dp->len[k] != h->len[k] || memcmp(dp->seg[k], h->seg[k], h->len[k]) != 0)) return false;
    return true;
}


/* Does the pattern match the decoded path? Fills params (if given) with pointers into dp. */
static bool pattern_matches(const char *pattern, const struct decoded_path *dp,
                            const char **params, int *nparams)
{
    if (!pattern || pattern[0] != '/') return false;
    const char *cursor = pattern + 1, *seg;
    size_t len, i = 0;
    int np = 0;
    while (next_pattern_segment(&cursor, &seg, &len)) {
        if (i >= dp->n || !dp->usable[i]) return false;
        if (is_placeholder(seg, len)) {
            if (dp->seg[i][0] == '\0') return false;
            if (np >= HTTP_MAX_PARAMS) { assert(!"too many placeholders in a route pattern"); return false; }
            if (params) params[np] = dp->seg[i];
            np++;
        } else if (strlen(dp->seg[i]) != len || memcmp(dp->seg[i], seg, len) != 0) {
            return false;
        }
        i++;
    }
    if (i != dp->n) return false;
    if (nparams) *nparams = np;
    return true;
}

/* Compare two patterns of equal length position by position. Returns >0 when a is more specific
 * (a literal where b has a placeholder first), <0 when b is, 0 when neither. */
static int compare_specificity(const char *a, const char *b)
{
    const char *ca = a + 1, *cb = b + 1, *sa, *sb;
    size_t la, lb;
    while (next_pattern_segment(&ca, &sa, &la) && next_pattern_segment(&cb, &sb, &lb)) {
        bool pa = is_placeholder(sa, la), pb = is_placeholder(sb, lb);
        if (pa != pb) return pa ? -1 : 1;
    }
    return 0;
}

/* Same resource: same literals and placeholders in the same places (names may differ). */
static bool same_shape(const char *a, const char *b)
{
    const char *ca = a + 1, *cb = b + 1, *sa, *sb;
    size_t la, lb;
    for (;;) {
        bool more_a = next_pattern_segment(&ca, &sa, &la);
        bool more_b = next_pattern_segment(&cb, &sb, &lb);
        if (more_a != more_b) return false;
        if (!more_a) return true;
        bool pa = is_placeholder(sa, la), pb = is_placeholder(sb, lb);
        if (pa != pb) return false;
        if (!pa && (la != lb || memcmp(sa, sb, la) != 0)) return false;
    }
}

/* Append ", name" to allow; silently stops when full (whole names only). */
static void allow_append_name(char *allow, size_t allow_len, const char *name)
{
    size_t used = strlen(allow);
    size_t need = (used ? 2 : 0) + strlen(name);
    if (used + need + 1 > allow_len) return;
    snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "", name);
}

/* Append the route's method unless already listed; HEAD right after GET, since HEAD is answered
 * wherever GET is (router_match). */
static void allow_append(char *allow, size_t allow_len, const struct route *table,
                         const size_t *listed, size_t nlisted, size_t idx)
{
    for (size_t k = 0; k < nlisted; k++)
        if (strcmp(table[listed[k]].method, table[idx].method) == 0) return;
    allow_append_name(allow, allow_len, table[idx].method);
    if (strcmp(table[idx].method, "GET") == 0) allow_append_name(allow, allow_len, "HEAD");
}

void router_params_free(struct http_req *r)
{
    if (!r) return;
    free(r->param_storage);
    r->param_storage = NULL;
    for (int i = 0; i < HTTP_MAX_PARAMS; i++) r->params[i] = NULL;
    r->nparams = 0;
}

const struct route *router_match(const struct route *table, size_t n, const char *method,
                                 const char *path, struct http_req *r, bool *path_matched,
                                 char *allow, size_t allow_len)
{
    struct decoded_path dp;
    const struct route *best = NULL, *chosen = NULL;

    if (path_matched) *path_matched = false;
    if (allow && allow_len) allow[0] = '\0';
    if (r) router_params_free(r);
    if (!method || !decode_path(path, &dp)) return NULL;
    if (table == API_ROUTES) pthread_once(&api_heads_once, api_heads_build);

    /* the routes whose pattern matches the path, in table order: those of best's shape are among
     * them (a pattern of the same shape as one that matches matches too), so only they are looked
     * at again (the whole table only if more matched than are remembered) */
    size_t matched[64], nmatched = 0;
    bool overflow = false;
    for (size_t i = 0; i < n; i++) {
        if (!head_may_match(table, i, &dp) || !pattern_matches(table[i].pattern, &dp, NULL, NULL)) continue;
        if (nmatched < sizeof matched / sizeof matched[0]) matched[nmatched++] = i;
        else overflow = true;
        if (!best || compare_specificity(table[i].pattern, best->pattern) > 0) best = &table[i];
    }
    if (!best) { free(dp.buf); return NULL; }

    size_t listed[64], nlisted = 0;
    for (size_t k = 0; k < (overflow ? n : nmatched); k++) {
        size_t i = overflow ? k : matched[k];
        if (!same_shape(table[i].pattern, best->pattern)) continue;
        if (nlisted < sizeof listed / sizeof listed[0]) listed[nlisted++] = i;
        /* HEAD is answered by the GET route (libmicrohttpd sends the headers only) */
        if (!chosen && (strcmp(table[i].method, method) == 0 ||
                        (strcmp(method, "HEAD") == 0 && strcmp(table[i].method, "GET") == 0)))
            chosen = &table[i];
    }
    if (path_matched) *path_matched = true;
    /* what the 405 lists, in table order */
    if (!chosen && allow && allow_len)
        for (size_t k = 0; k < nlisted; k++) allow_append(allow, allow_len, table, listed, k, listed[k]);
    if (!chosen || !r) { free(dp.buf); return chosen; }

    const char *params[HTTP_MAX_PARAMS] = {0};
    int np = 0;
    pattern_matches(chosen->pattern, &dp, params, &np);
    for (int i = 0; i < np; i++) r->params[i] = params[i];
    r->nparams = np;
    r->param_storage = dp.buf;
    return chosen;
}
