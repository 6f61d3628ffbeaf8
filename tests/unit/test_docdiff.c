/* test_docdiff.c — unit tests of docdiff (field-level changes between two filing versions),
 * RFC 7396 merge patch (including every example of RFC 7396 appendix A) and RFC 6901 escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/docdiff.h"

/* Parses JSON text (any value); fails the test on a typo. */
static json_t *J(const char *text)
{
    json_error_t error;
    json_t *value = json_loads(text, JSON_DECODE_ANY, &error);
    if (!value)
        fail_msg("bad test JSON %s: %s", text, error.text);
    return value;
}

/* Asserts that value equals the JSON text, then releases value. */
static void assert_json_take(json_t *value, const char *expected_text)
{
    assert_non_null(value);
    json_t *expected = J(expected_text);
    if (!json_equal(value, expected)) {
        char *got = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
        fail_msg("expected %s, got %s", expected_text, got ? got : "(null)");
    }
    json_decref(expected);
    json_decref(value);
}

static json_t *diff_text(const char *from, const char *to)
{
    json_t *a = J(from), *b = J(to);
    json_t *changes = docdiff(a, b);
    json_decref(a);
    json_decref(b);
    return changes;
}

/* ---- docdiff ------------------------------------------------------------------------- */

static void test_diff_equal_documents(void **state)
{
    assert_json_take(diff_text("{}", "{}"), "[]");
    assert_json_take(diff_text("{\"a\":[1,{\"b\":null}],\"c\":\"x\"}", "{\"c\":\"x\",\"a\":[1,{\"b\":null}]}"),
                     "[]");
    assert_json_take(docdiff(NULL, NULL), "[]");
}

static void test_diff_objects_member_by_member(void **state)
{
    assert_json_take(
        diff_text("{\"subject\":{\"name\":\"甲公司\",\"uscc\":\"91110000600037341L\"},\"level\":2}",
                  "{\"subject\":{\"name\":\"乙公司\",\"uscc\":\"91110000600037341L\"},\"level\":3}"),
        "[{\"path\":\"/subject/name\",\"op\":\"replace\",\"from\":\"甲公司\",\"to\":\"乙公司\"},"
        " {\"path\":\"/level\",\"op\":\"replace\",\"from\":2,\"to\":3}]");
    /* removed members carry only "from", added ones only "to"; removals of from come first */
    assert_json_take(diff_text("{\"a\":1,\"b\":{\"x\":true}}", "{\"b\":{},\"c\":[1]}"),
                     "[{\"path\":\"/a\",\"op\":\"remove\",\"from\":1},"
                     " {\"path\":\"/b/x\",\"op\":\"remove\",\"from\":true},"
                     " {\"path\":\"/c\",\"op\":\"add\",\"to\":[1]}]");
}

static void test_diff_arrays_by_index(void **state)
{
    assert_json_take(
        diff_text("{\"provider\":{\"data_centers\":[{\"name\":\"A\",\"region_code\":\"110000\"}]}}",
                  "{\"provider\":{\"data_centers\":[{\"name\":\"A\",\"region_code\":\"310000\"},"
                  "{\"name\":\"B\"}]}}"),
        "[{\"path\":\"/provider/data_centers/0/region_code\",\"op\":\"replace\","
        "  \"from\":\"110000\",\"to\":\"310000\"},"
        " {\"path\":\"/provider/data_centers/1\",\"op\":\"add\",\"to\":{\"name\":\"B\"}}]");
    assert_json_take(diff_text("{\"l\":[1,2,3]}", "{\"l\":[1]}"),
                     "[{\"path\":\"/l/1\",\"op\":\"remove\",\"from\":2},"
                     " {\"path\":\"/l/2\",\"op\":\"remove\",\"from\":3}]");
    /* nested arrays recurse; scalar elements that differ are replaced */
    assert_json_take(diff_text("[[1,2],\"x\"]", "[[1,5],\"y\"]"),
                     "[{\"path\":\"/0/1\",\"op\":\"replace\",\"from\":2,\"to\":5},"
                     " {\"path\":\"/1\",\"op\":\"replace\",\"from\":\"x\",\"to\":\"y\"}]");
    /* two-digit indices */
    json_t *a = json_array(), *b = json_array();
    for (int i = 0; i < 12; i++) {
        json_array_append_new(a, json_integer(i));
        json_array_append_new(b, json_integer(i == 11 ? 99 : i));
    }
    json_t *changes = docdiff(a, b);
    assert_json_take(changes, "[{\"path\":\"/11\",\"op\":\"replace\",\"from\":11,\"to\":99}]");
    json_decref(a);
    json_decref(b);
}

static void test_diff_type_change_is_one_replace(void **state)
{
    assert_json_take(diff_text("{\"a\":{\"x\":1}}", "{\"a\":[1]}"),
                     "[{\"path\":\"/a\",\"op\":\"replace\",\"from\":{\"x\":1},\"to\":[1]}]");
    assert_json_take(diff_text("{\"a\":1}", "{\"a\":1.0}"),
                     "[{\"path\":\"/a\",\"op\":\"replace\",\"from\":1,\"to\":1.0}]");
    assert_json_take(diff_text("{\"a\":true}", "{\"a\":false}"),
                     "[{\"path\":\"/a\",\"op\":\"replace\",\"from\":true,\"to\":false}]");
    assert_json_take(diff_text("{\"a\":null}", "{\"a\":0}"),
                     "[{\"path\":\"/a\",\"op\":\"replace\",\"from\":null,\"to\":0}]");
    /* at the root the path is the empty pointer */
    assert_json_take(diff_text("{\"a\":1}", "[1]"),
                     "[{\"path\":\"\",\"op\":\"replace\",\"from\":{\"a\":1},\"to\":[1]}]");
}

static void test_diff_null_inputs_are_empty_objects(void **state)
{
    json_t *doc = J("{\"a\":1}");
    assert_json_take(docdiff(NULL, doc), "[{\"path\":\"/a\",\"op\":\"add\",\"to\":1}]");
    assert_json_take(docdiff(doc, NULL), "[{\"path\":\"/a\",\"op\":\"remove\",\"from\":1}]");
    json_decref(doc);
}

static void test_diff_escapes_pointer_keys(void **state)
{
    assert_json_take(diff_text("{\"a/b\":{\"m~n\":1},\"\":0}", "{\"a/b\":{\"m~n\":2},\"\":1}"),
                     "[{\"path\":\"/a~1b/m~0n\",\"op\":\"replace\",\"from\":1,\"to\":2},"
                     " {\"path\":\"/\",\"op\":\"replace\",\"from\":0,\"to\":1}]");
    /* a long key is not truncated */
    char key[600];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    json_t *a = json_pack("{s:i}", key, 1), *b = json_pack("{s:i}", key, 2);
    json_t *changes = docdiff(a, b);
    assert_int_equal(json_array_size(changes), 1);
    const char *path = json_string_value(json_object_get(json_array_get(changes, 0), "path"));
    assert_int_equal(strlen(path), sizeof key);  /* "/" + 599 characters */
    json_decref(changes);
    json_decref(a);
    json_decref(b);
}

static void test_diff_does_not_share_inputs(void **state)
{
    json_t *a = J("{\"a\":{\"deep\":[1]}}"), *b = J("{}");
    json_t *changes = docdiff(a, b);
    json_t *removed = json_object_get(json_array_get(changes, 0), "from");
    assert_ptr_not_equal(removed, json_object_get(a, "a"));
    json_decref(a);  /* changes stays valid on its own */
    json_decref(b);
    assert_json_take(changes, "[{\"path\":\"/a\",\"op\":\"remove\",\"from\":{\"deep\":[1]}}]");
}

/* {"n":{"n":…{"n":leaf}}} nested `levels` deep. */
static json_t *nested(int levels, json_t *leaf)
{
    json_t *value = leaf;
    for (int i = 0; i < levels; i++)
        value = json_pack("{s:o}", "n", value);
    return value;
}

static void test_diff_depth_guard(void **state)
{
    /* Shallow: the change is found at the leaf. */
    json_t *a = nested(10, json_integer(1)), *b = nested(10, json_integer(2));
    json_t *changes = docdiff(a, b);
    const char *path = json_string_value(json_object_get(json_array_get(changes, 0), "path"));
    assert_int_equal(strlen(path), 10 * 2);
    json_decref(changes);
    json_decref(a);
    json_decref(b);

    /* Deeper than 64 levels: one replace of the whole value at depth 64. */
    a = nested(100, json_integer(1));
    b = nested(100, json_integer(2));
    changes = docdiff(a, b);
    assert_int_equal(json_array_size(changes), 1);
    json_t *change = json_array_get(changes, 0);
    assert_string_equal(json_string_value(json_object_get(change, "op")), "replace");
    assert_int_equal(strlen(json_string_value(json_object_get(change, "path"))), 64 * 2);
    assert_true(json_is_object(json_object_get(change, "from")));
    json_decref(changes);
    json_decref(a);
    json_decref(b);

    /* Deep but equal: no change. */
    a = nested(100, json_integer(1));
    b = nested(100, json_integer(1));
    assert_json_take(docdiff(a, b), "[]");
    json_decref(a);
    json_decref(b);
}

/* ---- merge patch --------------------------------------------------------------------- */

static void check_merge(const char *original, const char *patch, const char *result)
{
    json_t *target = J(original), *p = J(patch);
    json_t *target_copy = json_deep_copy(target), *patch_copy = json_deep_copy(p);
    assert_json_take(merge_patch(target, p), result);
    /* neither input was modified */
    assert_true(json_equal(target, target_copy));
    assert_true(json_equal(p, patch_copy));
    json_decref(target);
    json_decref(p);
    json_decref(target_copy);
    json_decref(patch_copy);
}

static void test_merge_patch_rfc7396_appendix_a(void **state)
{
    check_merge("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
    check_merge("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
    check_merge("{\"a\":\"b\"}", "{\"a\":null}", "{}");
    check_merge("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}");
    check_merge("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
    check_merge("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}");
    check_merge("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}");
    check_merge("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
    check_merge("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]");
    check_merge("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]");
    check_merge("{\"a\":\"foo\"}", "null", "null");
    check_merge("{\"a\":\"foo\"}", "\"bar\"", "\"bar\"");
    check_merge("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}");
    check_merge("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}");
    check_merge("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
}

static void test_merge_patch_rfc7396_section3_example(void **state)
{
    check_merge("{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
                "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}",
                "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\","
                "\"author\":{\"familyName\":null},\"tags\":[\"example\"]}",
                "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
                "\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}");
}

static void test_merge_patch_keeps_member_order(void **state)
{
    json_t *target = J("{\"z\":1,\"a\":2,\"m\":3}"), *patch = J("{\"b\":9,\"a\":5,\"z\":null}");
    json_t *result = merge_patch(target, patch);
    char *text = json_dumps(result, JSON_COMPACT);
    assert_string_equal(text, "{\"a\":5,\"m\":3,\"b\":9}");
    free(text);
    json_decref(result);
    json_decref(target);
    json_decref(patch);
}

static void test_merge_patch_null_arguments(void **state)
{
    json_t *doc = J("{\"a\":{\"b\":1}}");
    /* no patch: a copy of the target, not the same object */
    json_t *copy = merge_patch(doc, NULL);
    assert_ptr_not_equal(copy, doc);
    assert_true(json_equal(copy, doc));
    json_decref(copy);
    /* no target: the patch applied to nothing (nulls removed) */
    json_t *patch = J("{\"a\":{\"b\":null,\"c\":2}}");
    assert_json_take(merge_patch(NULL, patch), "{\"a\":{\"c\":2}}");
    assert_json_take(merge_patch(NULL, NULL), "null");
    json_decref(patch);
    json_decref(doc);
}

static void test_merge_patch_result_is_independent(void **state)
{
    json_t *target = J("{\"keep\":{\"x\":[1]}}"), *patch = J("{\"new\":{\"y\":[2]}}");
    json_t *result = merge_patch(target, patch);
    assert_ptr_not_equal(json_object_get(result, "keep"), json_object_get(target, "keep"));
    assert_ptr_not_equal(json_object_get(result, "new"), json_object_get(patch, "new"));
    json_decref(target);
    json_decref(patch);
    assert_json_take(result, "{\"keep\":{\"x\":[1]},\"new\":{\"y\":[2]}}");
}

static void test_merge_patch_depth_guard(void **state)
{
    /* Below 64 levels a null deep in the patch removes the member. */
    json_t *target = nested(70, json_integer(1));
    json_t *shallow_patch = nested(10, json_pack("{s:n}", "n"));
    json_t *result = merge_patch(target, shallow_patch);
    json_t *cursor = result;
    for (int i = 0; i < 10; i++)
        cursor = json_object_get(cursor, "n");
    assert_int_equal(json_object_size(cursor), 0);
    json_decref(result);
    json_decref(shallow_patch);

    /* Past 64 levels the patch value replaces the whole subtree as given (its null kept). */
    json_t *deep_patch = nested(66, json_pack("{s:n}", "other"));
    result = merge_patch(target, deep_patch);
    cursor = result;
    for (int i = 0; i < 66; i++)
        cursor = json_object_get(cursor, "n");
    assert_true(json_is_object(cursor));
    assert_true(json_is_null(json_object_get(cursor, "other")));
    assert_null(json_object_get(cursor, "n"));
    json_decref(result);
    json_decref(deep_patch);
    json_decref(target);
}

/* ---- json_pointer_escape ------------------------------------------------------------- */

static void test_pointer_escape(void **state)
{
    char buf[32];
    json_pointer_escape("a/b~c", buf, sizeof buf);
    assert_string_equal(buf, "a~1b~0c");
    json_pointer_escape("~1", buf, sizeof buf);
    assert_string_equal(buf, "~01");  /* RFC 6901: "~" is escaped first, so "~1" stays distinct */
    json_pointer_escape("", buf, sizeof buf);
    assert_string_equal(buf, "");
    json_pointer_escape(NULL, buf, sizeof buf);
    assert_string_equal(buf, "");
    json_pointer_escape("数据中心", buf, sizeof buf);
    assert_string_equal(buf, "数据中心");
    /* truncation never splits an escape sequence */
    json_pointer_escape("ab/", buf, 4);
    assert_string_equal(buf, "ab");
    json_pointer_escape("abc", buf, 3);
    assert_string_equal(buf, "ab");
    json_pointer_escape("abc", buf, 1);
    assert_string_equal(buf, "");
    buf[0] = 'x';
    json_pointer_escape("abc", buf, 0);  /* nothing written */
    assert_int_equal(buf[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diff_equal_documents),
        cmocka_unit_test(test_diff_objects_member_by_member),
        cmocka_unit_test(test_diff_arrays_by_index),
        cmocka_unit_test(test_diff_type_change_is_one_replace),
        cmocka_unit_test(test_diff_null_inputs_are_empty_objects),
        cmocka_unit_test(test_diff_escapes_pointer_keys),
        cmocka_unit_test(test_diff_does_not_share_inputs),
        cmocka_unit_test(test_diff_depth_guard),
        cmocka_unit_test(test_merge_patch_rfc7396_appendix_a),
        cmocka_unit_test(test_merge_patch_rfc7396_section3_example),
        cmocka_unit_test(test_merge_patch_keeps_member_order),
        cmocka_unit_test(test_merge_patch_null_arguments),
        cmocka_unit_test(test_merge_patch_result_is_independent),
        cmocka_unit_test(test_merge_patch_depth_guard),
        cmocka_unit_test(test_pointer_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
