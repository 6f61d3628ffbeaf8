/* test_json_out.c — the compact JSON writer (src/core/json_out.c) writes byte for byte what
 * json_dumps(JSON_COMPACT) writes: members in their order, every escape, UTF-8, nesting, numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/json_out.h"

static void same_as_json_dumps(const json_t *v)
{
    char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    struct json_out o;
    json_out_init(&o, 1);   /* grows from the smallest buffer */
    json_out_value(&o, v);
    size_t len;
    char *got = json_out_take(&o, &len);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    free(want);
    free(got);
}

static void every_kind_of_value(void **state)
{
    (void)state;
    json_t *v = json_loads("{\"z\":1,\"a\":[true,false,null,-9223372036854775807,0,1.5,1e300,-0.25],"
                           "\"nested\":{\"b\":{\"c\":[[],{}]}},\"s\":\"备案 – ok\",\"e\":\"\"}", 0, NULL);
    assert_non_null(v);
    same_as_json_dumps(v);
    json_decref(v);
}

/* integers are written digit by digit, not by printf: every length, both signs, both ends */
static void every_integer_as_jansson_writes_it(void **state)
{
    (void)state;
    json_t *all = json_array();
    json_array_append_new(all, json_integer(INT64_MIN));
    json_array_append_new(all, json_integer(INT64_MAX));
    json_array_append_new(all, json_integer(INT64_MIN + 1));
    for (int k = 0; k < 19; k++) {   /* around 10^0 … 10^18 */
        int64_t p = 1;
        for (int j = 0; j < k; j++) p *= 10;
        int64_t around[] = {p - 1, p, p + 1, -(p - 1), -p, -(p + 1)};
        for (size_t i = 0; i < sizeof around / sizeof *around; i++) json_array_append_new(all, json_integer(around[i]));
    }
    same_as_json_dumps(all);
    json_decref(all);
}

static void every_escape(void **state)
{
    (void)state;
    char s[64];
    size_t n = 0;
    for (int c = 1; c < 0x20; c++) s[n++] = (char)c;
    memcpy(s + n, "\"\\/\x7f", 4);
    n += 4;
    json_t *v = json_pack("{s:s%, s:s}", "all", s, n, "key \"quoted\"\n", "\xf0\x9f\x98\x80 \xe4\xb8\xad");
    assert_non_null(v);
    same_as_json_dumps(v);
    json_t *nul = json_stringn("a\0b", 3);
    same_as_json_dumps(nul);
    json_decref(nul);
    json_decref(v);
}

static void raw_text_goes_as_it_is(void **state)
{
    (void)state;
    struct json_out o;
    json_out_init(&o, 8);
    json_out_raw(&o, "{\"x\":", 5);
    json_out_raw(&o, "[1, 2]", 6);
    json_out_raw(&o, "}", 1);
    size_t len;
    char *got = json_out_take(&o, &len);
    assert_string_equal(got, "{\"x\":[1, 2]}");
    free(got);
}

/* Once given up, nothing more is written (the inline fast path included) and the text is NULL;
 * a text that outgrows its hint grows. */
static void failed_stays_failed_and_growth(void **state)
{
    (void)state;
    struct json_out o;
    json_out_init(&o, 8);
    for (int i = 0; i < 1000; i++) json_out_raw(&o, "0123456789", 10);
    json_out_int(&o, -42);
    size_t len = 0;
    char *text = json_out_take(&o, &len);
    assert_non_null(text);
    assert_int_equal(len, 10003);
    assert_string_equal(text + 10000, "-42");
    free(text);
    json_out_init(&o, 4096);
    json_out_raw(&o, "{", 1);
    json_out_fail(&o);
    json_out_raw(&o, "x", 1);
    json_out_string(&o, "y", 1);
    json_out_int(&o, 1);
    assert_null(json_out_take(&o, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_of_value),
        cmocka_unit_test(every_integer_as_jansson_writes_it),
        cmocka_unit_test(every_escape),
        cmocka_unit_test(raw_text_goes_as_it_is),
        cmocka_unit_test(failed_stays_failed_and_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
