/* test_json_read.c — json_read (src/core/json_read.c) answers as json_loadb does: for every JSON
 * file of the repository (the packs, their fixtures, the tests' and the web UI's), for random
 * documents written with every escape, integers at and past the limits, reals, deep nesting and
 * duplicate keys, and for random damage to them (a byte changed, dropped, added, the text cut),
 * with the flags the server uses; json_read_text against json_loads likewise. The same tree (the
 * same text from json_dumps: types, key order and values), or NULL both; and the same error
 * struct (message, source, line, column, position), on success too. And the common
 * case stays in json_read: the reference filing is not handed to jansson. Needs BEIAN_POLICY_DIR. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdbool.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_read.h"

static const size_t FLAG_SETS[] = {0, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, JSON_DECODE_ANY | JSON_ALLOW_NUL,
                                   JSON_REJECT_DUPLICATES};
enum { FLAG_SET_COUNT = sizeof FLAG_SETS / sizeof FLAG_SETS[0] };

static unsigned long compared;

static void show(const char *what, const char *buf, size_t len)
{
    fprintf(stderr, "%s (%zu bytes): ", what, len);
    fwrite(buf, 1, len > 300 ? 300 : len, stderr);
    fputc('\n', stderr);
}

/* the error as both left it: on success too (jansson says where it stopped and what it read) */
static void assert_same_error(const json_error_t *got, const json_error_t *want)
{
    assert_string_equal(got->text, want->text);
    assert_string_equal(got->source, want->source);
    assert_int_equal(got->line, want->line);
    assert_int_equal(got->column, want->column);
    assert_int_equal(got->position, want->position);
}

static void assert_same_trees(json_t *want, json_t *got, const char *buf, size_t len)
{
    if (!want || !got) {
        if (!!want != !!got) show(want ? "jansson took, json_read did not" : "json_read took, jansson did not", buf, len);
        assert_true(!want && !got);
        return;
    }
    char *a = json_dumps(want, JSON_ENCODE_ANY), *b = json_dumps(got, JSON_ENCODE_ANY);
    if (!a || !b || strcmp(a, b) != 0) {
        show("differs on", buf, len);
        fprintf(stderr, "jansson:   %.300s\njson_read: %.300s\n", a ? a : "(null)", b ? b : "(null)");
    }
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(b, a);
    assert_true(json_equal(want, got));
    free(a);
    free(b);
}

/* json_read against json_loadb, and json_read_text against json_loads where the text has no NUL */
static void assert_same(const char *buf, size_t len, size_t flags)
{
    json_error_t want_err, got_err;
    json_t *want = json_loadb(buf, len, flags, &want_err);
    json_t *got = json_read(buf, len, flags, &got_err);
    compared++;
    assert_same_trees(want, got, buf, len);
    assert_same_error(&got_err, &want_err);
    json_decref(want);
    json_decref(got);
    if (memchr(buf, 0, len)) return;
    char *text = malloc(len + 1);
    assert_non_null(text);
    memcpy(text, buf, len);
    text[len] = 0;
    want = json_loads(text, flags, &want_err);
    got = json_read_text(text, flags, &got_err);
    assert_same_trees(want, got, buf, len);
    assert_same_error(&got_err, &want_err);
    json_decref(want);
    json_decref(got);
    free(text);
}

static void assert_same_all_flags(const char *buf, size_t len)
{
    for (int f = 0; f < FLAG_SET_COUNT; f++) assert_same(buf, len, FLAG_SETS[f]);
}

/* ---- random damage ---- */

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static size_t below(size_t n) { return n ? (size_t)(next_random() % n) : 0; }

static const char INTERESTING[] = {'"', '\\', '{', '}', '[', ']', ',', ':', '0', '9', '-', '.', 'e', 'u', 'n', ' ',
                                   '\n', '\0', '\x01', '\x7f', '\x80', '\xbf', '\xc0', '\xe4', '\xed', '\xf0', '\xff'};

static void assert_same_damaged(const char *text, size_t len, int rounds)
{
    char *buf = malloc(len + 2);
    assert_non_null(buf);
    for (int i = 0; i < rounds; i++) {
        memcpy(buf, text, len);
        size_t n = len, at = below(len);
        switch (below(4)) {
        case 0: if (len) buf[at] = INTERESTING[below(sizeof INTERESTING)]; break;
        case 1: if (len) { memmove(buf + at, buf + at + 1, len - at - 1); n--; } break;
        case 2: memmove(buf + at + 1, buf + at, len - at); buf[at] = INTERESTING[below(sizeof INTERESTING)]; n++; break;
        default: n = below(len + 1); break;
        }
        assert_same(buf, n, FLAG_SETS[below(FLAG_SET_COUNT)]);
    }
    free(buf);
}

/* ---- every JSON file of the repository ---- */

static int files_seen;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && n < 16 * 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
            *len = fread(buf, 1, (size_t)n, f);
            buf[*len] = 0;
        }
    }
    fclose(f);
    return buf;
}

static int each_file(const char *path, const struct stat *st, int kind, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (kind != FTW_F || n < 5 || strcmp(path + n - 5, ".json") != 0 || strstr(path, "/node_modules/") ||
        strstr(path, "/build"))
        return 0;
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) return 0;
    files_seen++;
    assert_same_all_flags(text, len);
    assert_same_damaged(text, len, 8);
    free(text);
    return 0;
}

/* BEIAN_POLICY_DIR/rel */
static void policy_path(char *out, size_t n, const char *rel)
{
    const char *policy = getenv("BEIAN_POLICY_DIR");
    assert_non_null(policy);
    snprintf(out, n, "%s/%s", policy, rel);
}

static void every_json_file_of_the_repository(void **state)
{
    (void)state;
    char root[4096];
    policy_path(root, sizeof root, "..");
    const char *dirs[] = {"policy", "tests", "web", "docs", "bench"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", root, dirs[i]);
        nftw(dir, each_file, 16, FTW_PHYS);
    }
    fprintf(stderr, "%d JSON files, %lu comparisons\n", files_seen, compared);
    assert_true(files_seen >= 20);
}

/* ---- random documents ---- */

struct text {
    char *s;
    size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = 0;
}
static void puts_(struct text *t, const char *s) { put(t, s, strlen(s)); }

static void space(struct text *t)
{
    static const char *const SPACES[] = {"", "", "", " ", "\n  ", "\t", "\r\n"};
    puts_(t, SPACES[below(7)]);
}

static void random_string(struct text *t)
{
    static const char *const PIECES[] = {
        "a", "Z", "09", " ", "备案", "云", "数据中心", "é", "😀", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r",
        "\\t", "\\u0041", "\\u00e9", "\\u4e91", "\\uD83D\\uDE00", "\\ud83d\\ude00", "\\u0000", "\\uD800", "\\uDC00",
        "\\uD800\\u0041", "\\u12", "\\x", "\x01", "\xc3\xa9", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "'",
        "{}[]:,",
    };
    puts_(t, "\"");
    size_t n = below(6);
    for (size_t i = 0; i < n; i++) puts_(t, below(4) ? PIECES[below(19)] : PIECES[below(sizeof PIECES / sizeof PIECES[0])]);
    puts_(t, "\"");
}

static void random_number(struct text *t)
{
    static const char *const NUMBERS[] = {
        "0", "-0", "1", "-1", "42", "1234567890", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "-9223372036854775809", "99999999999999999999", "1.5", "-0.25", "1e3", "1E-3",
        "2.5e+10", "1e400", "01", "-", "1.", ".5", "+1", "0x10", "00",
    };
    puts_(t, below(3) ? NUMBERS[below(7)] : NUMBERS[below(sizeof NUMBERS / sizeof NUMBERS[0])]);
}

static void random_value(struct text *t, int depth)
{
    size_t kind = depth > 6 ? 2 + below(4) : below(7);
    switch (kind) {
    case 0:
    case 1: {
        bool object = kind == 0;
        puts_(t, object ? "{" : "[");
        size_t n = below(6);
        for (size_t i = 0; i < n; i++) {
            space(t);
            if (object) {
                if (below(8) == 0) puts_(t, "\"dup\"");   /* duplicate keys now and then */
                else random_string(t);
                space(t);
                puts_(t, ":");
                space(t);
            }
            random_value(t, depth + 1);
            space(t);
            if (i + 1 < n) puts_(t, ",");
        }
        puts_(t, object ? "}" : "]");
        break;
    }
    case 2: random_string(t); break;
    case 3: random_number(t); break;
    case 4: puts_(t, below(2) ? "true" : "false"); break;
    default: puts_(t, "null"); break;
    }
}

static void random_documents_and_their_damage(void **state)
{
    (void)state;
    struct text t = {0};
    for (int i = 0; i < 20000; i++) {
        t.len = 0;
        space(&t);
        if (below(4)) {
            puts_(&t, "{");
            random_string(&t);
            puts_(&t, ":");
            random_value(&t, 0);
            puts_(&t, "}");
        } else {
            random_value(&t, 0);
        }
        space(&t);
        assert_same_all_flags(t.s, t.len);
        assert_same_damaged(t.s, t.len, 2);
    }
    free(t.s);
}

static void nesting_at_and_past_the_limits(void **state)
{
    (void)state;
    int depths[] = {1, 100, 511, 512, 513, 2047, 2048, 2049, 3000};
    for (size_t k = 0; k < sizeof depths / sizeof depths[0]; k++) {
        int d = depths[k];
        char *buf = malloc((size_t)d * 8 + 8);
        assert_non_null(buf);
        size_t n = 0;
        for (int i = 0; i < d; i++) buf[n++] = '[';
        for (int i = 0; i < d; i++) buf[n++] = ']';
        assert_same_all_flags(buf, n);
        n = 0;   /* {"a":{"a":…1…}} */
        for (int i = 0; i < d; i++) { memcpy(buf + n, "{\"a\":", 5); n += 5; }
        buf[n++] = '1';
        for (int i = 0; i < d; i++) buf[n++] = '}';
        assert_same_all_flags(buf, n);
        free(buf);
    }
}

static void the_common_case_is_not_handed_over(void **state)
{
    (void)state;
    char path[4200];
    policy_path(path, sizeof path, "cn-cloud/fixtures/reference.json");
    size_t len = 0;
    char *text = read_file(path, &len);
    assert_non_null(text);
    unsigned long before = json_read_handed_over();
    json_t *doc = json_read(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    assert_non_null(doc);
    assert_int_equal(json_read_handed_over(), before);   /* the reference filing: read here */
    json_decref(doc);
    json_t *real = json_read("{\"ratio\": 0.5}", 14, 0, NULL);
    assert_non_null(real);
    assert_int_equal(json_read_handed_over(), before + 1);   /* a real: jansson's */
    json_decref(real);
    free(text);
}

/* {before"a":[…inner…]} nested d deep (the object counts one), written into buf */
static size_t nested(char *buf, int d, const char *before, const char *inner)
{
    size_t n = 0;
    n += (size_t)sprintf(buf + n, "{%s\"a\":", before);
    for (int i = 1; i < d; i++) buf[n++] = '[';
    n += (size_t)sprintf(buf + n, "%s", inner);
    for (int i = 1; i < d; i++) buf[n++] = ']';
    buf[n++] = '}';
    buf[n] = '\0';
    return n;
}

static void bounded_nesting(void **state)
{
    (void)state;
    char buf[512];
    /* read here (integers), handed over (a real, before the deep part or in it), and a syntax
     * error past the deep part: the depth decides the same way for each, and within it the tree
     * is json_read's */
    const char *inners[] = {"1", "0.5", "\"[[[{{{\\\"]]\"", "1,,"};
    const char *befores[] = {"", "\"r\":0.5,"};
    for (size_t k = 0; k < sizeof inners / sizeof inners[0] * 2; k++) {
        for (int d = 30; d <= 34; d++) {
            size_t n = nested(buf, d, befores[k % 2], inners[k / 2]);
            bool too_deep = true;
            json_error_t err, want_err;
            json_t *got = json_read_bounded(buf, n, JSON_REJECT_DUPLICATES, 32, &too_deep, &err);
            if (d > 32) {
                assert_null(got);
                assert_true(too_deep);
                continue;
            }
            assert_false(too_deep);
            json_t *want = json_read(buf, n, JSON_REJECT_DUPLICATES, &want_err);
            assert_true((got == NULL) == (want == NULL));
            if (want) assert_true(json_equal(got, want));
            else assert_string_equal(err.text, want_err.text);
            json_decref(got);
            json_decref(want);
        }
    }
    /* brackets inside strings are not nesting */
    char deep_string[128];
    size_t n = (size_t)snprintf(deep_string, sizeof deep_string, "{\"a\":\"%s\"}",
                                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
    bool too_deep = true;
    json_t *v = json_read_bounded(deep_string, n, 0, 32, &too_deep, NULL);
    assert_non_null(v);
    assert_false(too_deep);
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_common_case_is_not_handed_over),
        cmocka_unit_test(every_json_file_of_the_repository),
        cmocka_unit_test(random_documents_and_their_damage),
        cmocka_unit_test(nesting_at_and_past_the_limits),
        cmocka_unit_test(bounded_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
