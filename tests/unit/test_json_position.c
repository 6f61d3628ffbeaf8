/* test_json_position.c — unit tests of json_position: the line and column a JSON pointer names in
 * a JSON text (members, array elements, escaped keys ~0 ~1 and \u escapes, non-ASCII text counted
 * in UTF-16 columns, CRLF lines, a missing member falling back to its parent). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/json_position.h"

static struct json_position at(const char *text, const char *pointer)
{
    struct json_position pos;
    if (json_position_find(text, strlen(text), pointer, &pos) != 0)
        fail_msg("no position for %s", pointer);
    return pos;
}

static void assert_at(const char *text, const char *pointer, int line, int column, int end_line, int end_column,
                      bool exact)
{
    struct json_position pos = at(text, pointer);
    if (pos.line != line || pos.column != column || pos.end_line != end_line || pos.end_column != end_column ||
        pos.exact != exact)
        fail_msg("%s: expected %d:%d-%d:%d%s, got %d:%d-%d:%d%s", pointer, line, column, end_line, end_column,
                 exact ? "" : " (parent)", pos.line, pos.column, pos.end_line, pos.end_column,
                 pos.exact ? "" : " (parent)");
}

static const char DOC[] =
    "{\n"
    "  \"subject\": {\n"
    "    \"name\": \"某某科技有限公司\",\n"
    "    \"uscc\": \"91350100M000100Y43\"\n"
    "  },\n"
    "  \"list\": [1, {\"a\": true}, [\"x\", null]],\n"
    "  \"a/b\": 1, \"m~n\": 2, \"\\u00e9t\\u00e9\": \"summer\",\n"
    "  \"emoji\": \"\xF0\x9F\x98\x80\", \"after\": 3\n"
    "}\n";

static void whole_document(void **state)
{
    (void)state;
    assert_at(DOC, "", 1, 1, 9, 2, true);
}

static void members(void **state)
{
    (void)state;
    assert_at(DOC, "/subject", 2, 14, 5, 4, true);
    assert_at(DOC, "/subject/uscc", 4, 13, 4, 33, true);
}

static void non_ascii_text_counts_utf16_units(void **state)
{
    (void)state;
    /* 8 Chinese characters + 2 quotes: the value ends 10 columns after it starts */
    assert_at(DOC, "/subject/name", 3, 13, 3, 23, true);
    /* a character outside the BMP counts two columns (a surrogate pair) */
    assert_at(DOC, "/emoji", 8, 12, 8, 16, true);
    assert_at(DOC, "/after", 8, 27, 8, 28, true);
}

static void array_elements(void **state)
{
    (void)state;
    assert_at(DOC, "/list/0", 6, 12, 6, 13, true);
    assert_at(DOC, "/list/1/a", 6, 21, 6, 25, true);
    assert_at(DOC, "/list/2/1", 6, 34, 6, 38, true);
}

static void escaped_keys(void **state)
{
    (void)state;
    assert_at(DOC, "/a~1b", 7, 10, 7, 11, true);
    assert_at(DOC, "/m~0n", 7, 20, 7, 21, true);
    /* a key written with \u escapes matches the pointer's UTF-8 text */
    assert_at(DOC, "/\xC3\xA9t\xC3\xA9", 7, 40, 7, 48, true);
}

static void missing_member_gives_parent(void **state)
{
    (void)state;
    assert_at(DOC, "/subject/region_code", 2, 14, 5, 4, false);
    assert_at(DOC, "/subject/region_code/deeper", 2, 14, 5, 4, false);
    assert_at(DOC, "/list/7", 6, 11, 6, 40, false);
    assert_at(DOC, "/list/-", 6, 11, 6, 40, false);
    assert_at(DOC, "/list/01", 6, 11, 6, 40, false);
    /* below a scalar: the scalar */
    assert_at(DOC, "/after/x", 8, 27, 8, 28, false);
    assert_at(DOC, "/nothing", 1, 1, 9, 2, false);
    assert_at("{}", "/a", 1, 1, 1, 3, false);
    assert_at("[]", "/0", 1, 1, 1, 3, false);
}

static void line_endings(void **state)
{
    (void)state;
    assert_at("{\r\n\"a\": 1,\r\"b\":\n2}", "/b", 4, 1, 4, 2, true);
    assert_at("{\r\n\"a\": 1,\r\"b\":\n2}", "/a", 2, 6, 2, 7, true);
    /* a byte order mark is not a column */
    assert_at("\xEF\xBB\xBF{\"a\": 1}", "/a", 1, 7, 1, 8, true);
}

static void strings_with_brackets_are_skipped(void **state)
{
    (void)state;
    assert_at("{\"s\": \"}]\\\"{\", \"t\": [\"]\"], \"u\": 5}", "/u", 1, 33, 1, 34, true);
}

static void bad_input(void **state)
{
    (void)state;
    struct json_position pos;
    assert_int_equal(json_position_find("{\"a\": 1}", 8, "a", &pos), -1);
    assert_int_equal(json_position_find("{\"a\": 1}", 8, "/a~2", &pos), -1);
    assert_int_equal(json_position_find("{\"a\" 1}", 7, "/b", &pos), -1);
    assert_int_equal(json_position_find("{\"a\": \"unterminated", 19, "/b", &pos), -1);
    assert_int_equal(json_position_find("", 0, "", &pos), -1);
    /* a value that is no JSON value (a stray UTF-8 continuation byte: found by fuzz_json_position) */
    assert_int_equal(json_position_find("\xa9\0{}", 4, "/x", &pos), -1);
    assert_int_equal(json_position_find("{\"a\": x}", 8, "/a", &pos), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_document),
        cmocka_unit_test(members),
        cmocka_unit_test(non_ascii_text_counts_utf16_units),
        cmocka_unit_test(array_elements),
        cmocka_unit_test(escaped_keys),
        cmocka_unit_test(missing_member_gives_parent),
        cmocka_unit_test(line_endings),
        cmocka_unit_test(strings_with_brackets_are_skipped),
        cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
