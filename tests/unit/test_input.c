/* test_input.c — unit tests of input_name_check, the one check of names (issue 12): every code
 * point of each refused range and its neighbours, invalid UTF-8, blank names, the length bound. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "service/input.h"

/* "a" + the code point as UTF-8 + "b" */
static void with_cp(uint32_t cp, char *out)
{
    char *p = out;
    *p++ = 'a';
    if (cp < 0x80) *p++ = (char)cp;
    else if (cp < 0x800) { *p++ = (char)(0xC0 | cp >> 6); *p++ = (char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        *p++ = (char)(0xE0 | cp >> 12); *p++ = (char)(0x80 | ((cp >> 6) & 0x3F)); *p++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *p++ = (char)(0xF0 | cp >> 18); *p++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *p++ = (char)(0x80 | ((cp >> 6) & 0x3F)); *p++ = (char)(0x80 | (cp & 0x3F));
    }
    *p++ = 'b';
    *p = '\0';
}

static int check(const char *s)
{
    struct err e = {0};
    int rc = input_name_check(s, "/name", 10, &e);
    if (rc != 0) assert_string_equal(e.field, "/name");
    err_clear(&e);
    return rc;
}

static const uint32_t REFUSED[][2] = {
    {0x01, 0x1F}, {0x7F, 0x9F}, {0x061C, 0x061C}, {0x200B, 0x200F}, {0x2028, 0x202E},
    {0x2060, 0x2064}, {0x2066, 0x206F}, {0xFEFF, 0xFEFF},
};

static void test_refused_ranges_and_their_neighbours(void **state)
{
    char buf[16];
    for (size_t i = 0; i < sizeof REFUSED / sizeof REFUSED[0]; i++) {
        for (uint32_t cp = REFUSED[i][0]; cp <= REFUSED[i][1]; cp++) {
            with_cp(cp, buf);
            if (check(buf) == 0) fail_msg("U+%04X was accepted", (unsigned)cp);
        }
    }
    /* the neighbours are ordinary characters (U+200A is a space: fine inside a name) */
    const uint32_t fine[] = {0x20, 0x7E, 0xA0, 0x061B, 0x061D, 0x200A, 0x2010, 0x2027, 0x202F, 0x205F, 0x2065,
                             0x2070, 0xFEFE, 0xFF01, 0x4E2D, 0x1F600};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        with_cp(fine[i], buf);
        if (check(buf) != 0) fail_msg("U+%04X was refused", (unsigned)fine[i]);
    }
}

static void test_invalid_utf8_blank_and_length(void **state)
{
    assert_int_equal(check("\xC0\xAF"), -1);           /* overlong '/' */
    assert_int_equal(check("\xED\xA0\x80"), -1);       /* surrogate */
    assert_int_equal(check("\xE4\xB8"), -1);           /* cut off */
    assert_int_equal(check("\xFF"), -1);
    assert_int_equal(check(""), -1);
    assert_int_equal(check(NULL), -1);
    assert_int_equal(check(" "), -1);
    assert_int_equal(check("\xC2\xA0\xE3\x80\x80"), -1);   /* no-break space, ideographic space */
    assert_int_equal(check(" x "), 0);
    assert_int_equal(check("0123456789"), 0);            /* 10 code points: the bound */
    assert_int_equal(check("01234567890"), -1);
    assert_int_equal(check("中文名称中文名称中文"), 0);   /* 10 code points, 30 bytes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_ranges_and_their_neighbours),
        cmocka_unit_test(test_invalid_utf8_blank_and_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
