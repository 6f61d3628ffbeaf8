/* test_router.c — router_match against a small table of its own (no api.c needed): literal
 * segments beat placeholders, 405 with the allow list, percent-decoding of params, and
 * rejection of encoded slashes, NULs, broken escapes and invalid UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static int handler(struct http_req *r) { (void)r; return 0; }

static const struct route TABLE[] = {
    {"GET", "/api/v1/filings", handler, 0},                           /* 0 */
    {"POST", "/api/v1/filings", handler, 0},                          /* 1 */
    {"GET", "/api/v1/filings/export", handler, 0},                    /* 2 */
    {"GET", "/api/v1/filings/{id}", handler, 0},                      /* 3 */
    {"PATCH", "/api/v1/filings/{id}", handler, 0},                    /* 4 */
    {"DELETE", "/api/v1/filings/{filing}", handler, 0},               /* 5 same shape as 3 */
    {"POST", "/api/v1/filings/{id}/actions/{action}", handler, 0},    /* 6 */
    {"GET", "/api/v1/x/{a}/b", handler, 0},                           /* 7 */
    {"GET", "/api/v1/x/y/{c}", handler, 0},                           /* 8 */
    {"GET", "/api/v1/x/{a}/b", handler, 0},                           /* 9 duplicate of 7 */
};
#define TABLE_N (sizeof TABLE / sizeof TABLE[0])

struct outcome {
    const struct route *route;
    bool path_matched;
    char allow[64];
};

static struct outcome match(struct http_req *r, const char *method, const char *path)
{
    struct outcome o;
    memset(&o, 0, sizeof o);
    o.path_matched = true; /* router_match must overwrite it */
    o.route = router_match(TABLE, TABLE_N, method, path, r, &o.path_matched, o.allow, sizeof o.allow);
    return o;
}

static void literal_path(void **state)
{
    struct http_req r = {0};
    struct outcome o = match(&r, "GET", "/api/v1/filings");
    assert_ptr_equal(o.route, &TABLE[0]);
    assert_int_equal(r.nparams, 0);
    o = match(&r, "POST", "/api/v1/filings");
    assert_ptr_equal(o.route, &TABLE[1]);
    router_params_free(&r);
}

static void literal_beats_placeholder(void **state)
{
    struct http_req r = {0};
    struct outcome o = match(&r, "GET", "/api/v1/filings/export");
    assert_ptr_equal(o.route, &TABLE[2]);
    assert_int_equal(r.nparams, 0);

    /* The first position where two patterns differ decides, whatever the table order. */
    o = match(&r, "GET", "/api/v1/x/y/b");
    assert_ptr_equal(o.route, &TABLE[8]);
    assert_int_equal(r.nparams, 1);
    assert_string_equal(r.params[0], "b");
    o = match(&r, "GET", "/api/v1/x/z/b");
    assert_ptr_equal(o.route, &TABLE[7]);
    assert_string_equal(r.params[0], "z");
    router_params_free(&r);
}

static void placeholder_params(void **state)
{
    struct http_req r = {0};
    struct outcome o = match(&r, "GET", "/api/v1/filings/F-2024-0001");
    assert_ptr_equal(o.route, &TABLE[3]);
    assert_int_equal(r.nparams, 1);
    assert_string_equal(r.params[0], "F-2024-0001");

    o = match(&r, "POST", "/api/v1/filings/42/actions/submit");
    assert_ptr_equal(o.route, &TABLE[6]);
    assert_int_equal(r.nparams, 2);
    assert_string_equal(r.params[0], "42");
    assert_string_equal(r.params[1], "submit");

    o = match(&r, "DELETE", "/api/v1/filings/7");
    assert_ptr_equal(o.route, &TABLE[5]);
    assert_string_equal(r.params[0], "7");
    router_params_free(&r);
    assert_int_equal(r.nparams, 0);
    assert_null(r.params[0]);
    assert_null(r.param_storage);
}

static void method_not_allowed_lists_methods(void **state)
{
    struct http_req r = {0};
    struct outcome o = match(&r, "PUT", "/api/v1/filings/42");
    assert_null(o.route);
    assert_true(o.path_matched);
    assert_string_equal(o.allow, "GET, HEAD, PATCH, DELETE");
    assert_int_equal(r.nparams, 0);

    o = match(&r, "DELETE", "/api/v1/filings");
    assert_null(o.route);
    assert_true(o.path_matched);
    assert_string_equal(o.allow, "GET, HEAD, POST");

    /* The literal resource owns its path: no fallback to PATCH /filings/{id} with id "export". */
    o = match(&r, "PATCH", "/api/v1/filings/export");
    assert_null(o.route);
    assert_true(o.path_matched);
    assert_string_equal(o.allow, "GET, HEAD");

    /* Duplicate entries are listed once. */
    o = match(&r, "POST", "/api/v1/x/z/b");
    assert_null(o.route);
    assert_string_equal(o.allow, "GET, HEAD");

    /* Methods are case-sensitive tokens. */
    o = match(&r, "get", "/api/v1/filings");
    assert_null(o.route);
    assert_true(o.path_matched);
}

static void allow_buffer_is_bounded(void **state)
{
    bool matched;
    char allow[9];
    const struct route *route = router_match(TABLE, TABLE_N, "PUT", "/api/v1/filings/1", NULL,
                                             &matched, allow, sizeof allow);
    assert_null(route);
    assert_true(matched);
    assert_string_equal(allow, "GET");   /* ", HEAD" would not fit; whole names only */
}

static void unknown_paths(void **state)
{
    struct http_req r = {0};
    const char *paths[] = {
        "/api/v1/nothing", "/api/v1/filings/", "/api/v1//filings", "/api/v1/filings/1/actions",
        "/api/v1/filings/1/actions/", "api/v1/filings", "", "/", "/api/v1/filings/1/2",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct outcome o = match(&r, "GET", paths[i]);
        assert_null(o.route);
        assert_false(o.path_matched);
        assert_string_equal(o.allow, "");
        assert_int_equal(r.nparams, 0);
        assert_null(r.param_storage);
    }
}

static void percent_decoding(void **state)
{
    struct http_req r = {0};
    struct outcome o = match(&r, "GET", "/api/v1/filings/%E5%A4%87%E6%A1%88");
    assert_ptr_equal(o.route, &TABLE[3]);
    assert_string_equal(r.params[0], "\xe5\xa4\x87\xe6\xa1\x88");   /* 备案 */

    o = match(&r, "GET", "/api/v1/filings/a%20b+c%25d");
    assert_ptr_equal(o.route, &TABLE[3]);
    assert_string_equal(r.params[0], "a b+c%d");   /* '+' is not a space in a path */

    o = match(&r, "POST", "/api/v1/filings/%31/actions/%73ubmit");
    assert_ptr_equal(o.route, &TABLE[6]);
    assert_string_equal(r.params[0], "1");
    assert_string_equal(r.params[1], "submit");

    /* Literal segments compare decoded too (RFC 3986: %66 and f are the same). */
    o = match(&r, "GET", "/api/v1/%66ilings/export");
    assert_ptr_equal(o.route, &TABLE[2]);
    router_params_free(&r);
}

static void rejected_segments(void **state)
{
    struct http_req r = {0};
    const char *paths[] = {
        "/api/v1/filings/a%2Fb",       /* encoded slash */
        "/api/v1/filings/a%2fb",
        "/api/v1/filings/%2F",
        "/api/v1/filings/a%00",        /* NUL */
        "/api/v1/filings/%zz",         /* broken escapes */
        "/api/v1/filings/a%4",
        "/api/v1/filings/a%",
        "/api/v1/filings/%FF",         /* not UTF-8 */
        "/api/v1/filings/%C0%AF",      /* overlong '/' */
        "/api/v1/filings/%ED%A0%80",   /* surrogate */
        "/api/v1/filings%2Fexport",    /* an encoded slash never splits a segment */
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct outcome o = match(&r, "GET", paths[i]);
        if (o.route) fail_msg("matched %s", paths[i]);
        assert_false(o.path_matched);
        assert_int_equal(r.nparams, 0);
    }
    /* An unusable segment spoils the path for every route, placeholder or literal. */
    struct outcome o = match(&r, "POST", "/api/v1/filings/1/actions/%2e%2F");
    assert_null(o.route);
}

static void many_segments(void **state)
{
    char path[512] = "/api";
    for (int i = 0; i < 60; i++) strcat(path, "/s");
    struct http_req r = {0};
    struct outcome o = match(&r, "GET", path);
    assert_null(o.route);
    assert_false(o.path_matched);
}

static void optional_outputs(void **state)
{
    /* r, path_matched and allow may all be omitted. */
    const struct route *route = router_match(TABLE, TABLE_N, "GET", "/api/v1/filings/9", NULL, NULL,
                                             NULL, 0);
    assert_ptr_equal(route, &TABLE[3]);
    assert_null(router_match(TABLE, TABLE_N, "GET", NULL, NULL, NULL, NULL, 0));
    assert_null(router_match(TABLE, 0, "GET", "/api/v1/filings", NULL, NULL, NULL, 0));
}

/* The API table is matched through the heads of its patterns (split once); a copy of it at
 * another address is walked pattern by pattern: both give the same route, params and Allow for
 * every route's own path and for paths that are not routes. */
static void api_table_heads_match_as_the_walk(void **state)
{
    (void)state;
    struct route *copy = malloc(API_ROUTES_COUNT * sizeof *copy);
    assert_non_null(copy);
    memcpy(copy, API_ROUTES, API_ROUTES_COUNT * sizeof *copy);
    static const char *const extra[] = {"/api/v1/%66ilings/7", "/api/v1/filings/7/", "/api/v1", "/", "/healthz",
                                        "/api/v1/filings/a%2Fb", "/api/v2/filings/1", "/api/v1/orgs/1/x", NULL};
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL};
    for (size_t i = 0; i < API_ROUTES_COUNT + 8; i++) {
        char path[256];
        if (i < API_ROUTES_COUNT) {   /* the pattern with every placeholder given a value */
            size_t o = 0;
            for (const char *p = API_ROUTES[i].pattern; *p && o + 2 < sizeof path; p++) {
                if (*p == '{') { path[o++] = '7'; while (*p && *p != '}') p++; continue; }
                path[o++] = *p;
            }
            path[o] = '\0';
        } else if (extra[i - API_ROUTES_COUNT]) {
            snprintf(path, sizeof path, "%s", extra[i - API_ROUTES_COUNT]);
        } else {
            break;
        }
        for (int m = 0; methods[m]; m++) {
            struct http_req a = {0}, b = {0};
            bool pa = false, pb = false;
            char allow_a[128], allow_b[128];
            const struct route *ra = router_match(API_ROUTES, API_ROUTES_COUNT, methods[m], path, &a, &pa, allow_a, sizeof allow_a);
            const struct route *rb = router_match(copy, API_ROUTES_COUNT, methods[m], path, &b, &pb, allow_b, sizeof allow_b);
            assert_int_equal(ra ? ra - API_ROUTES : -1, rb ? rb - copy : -1);
            assert_int_equal(pa, pb);
            assert_string_equal(allow_a, allow_b);
            assert_int_equal(a.nparams, b.nparams);
            for (int k = 0; k < a.nparams; k++) assert_string_equal(a.params[k], b.params[k]);
            router_params_free(&a);
            router_params_free(&b);
        }
    }
    free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literal_path),
        cmocka_unit_test(literal_beats_placeholder),
        cmocka_unit_test(placeholder_params),
        cmocka_unit_test(method_not_allowed_lists_methods),
        cmocka_unit_test(allow_buffer_is_bounded),
        cmocka_unit_test(unknown_paths),
        cmocka_unit_test(percent_decoding),
        cmocka_unit_test(rejected_segments),
        cmocka_unit_test(many_segments),
        cmocka_unit_test(optional_outputs),
        cmocka_unit_test(api_table_heads_match_as_the_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
