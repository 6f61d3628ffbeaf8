/* test_uscc.c — unit tests of the GB 32100-2015 USCC check and its bilingual descriptions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/uscc.h"

static void test_valid_examples_pass(void **state)
{
    struct uscc_result r;
    assert_int_equal(uscc_check("91110000600037341L", &r), 0);
    assert_int_equal(r.status, USCC_OK);
    assert_int_equal(uscc_check("91350200776049653A", &r), 0);
    assert_int_equal(r.status, USCC_OK);
    /* out may be NULL */
    assert_int_equal(uscc_check("91110000600037341L", NULL), 0);
    assert_int_equal(uscc_check("9111000060003734XL", NULL), -1);
}

static void test_check_character_arithmetic(void **state)
{
    /* Σ = 0 for all-zero body: c = 31 − 0 = 31, which is written as '0'. */
    struct uscc_result r;
    assert_int_equal(uscc_check("000000000000000000", &r), 0);
    /* Σ = 30 (value 1 at position 16, weight 30): c = 1. */
    assert_int_equal(uscc_check("000000000000000101", &r), 0);
    /* Σ = 10 (value 1 at position 15, weight 10): c = 21, the character 'M'. */
    assert_int_equal(uscc_check("00000000000000100M", &r), 0);
    /* Σ = 1: c = 30, the last character 'Y'. */
    assert_int_equal(uscc_check("10000000000000000Y", &r), 0);
    assert_int_equal(uscc_check("10000000000000000X", &r), -1);
    assert_int_equal(r.expected, 'Y');
}

static void test_letters_allowed_in_first_eight(void **state)
{
    /* Check characters computed independently from the GB 32100 formula. */
    struct uscc_result r;
    assert_int_equal(uscc_check("N21100006000373414", &r), 0);
    assert_int_equal(uscc_check("Y1MA0000MA01ABCDEK", &r), 0);
    assert_int_equal(uscc_check("N2110000600037341L", &r), -1);
    assert_int_equal(r.status, USCC_BAD_CHECK);
    assert_int_equal(r.expected, '4');
    assert_int_equal(r.found, 'L');
}

static void test_bad_length(void **state)
{
    struct uscc_result r;
    assert_int_equal(uscc_check("91110000600037341", &r), -1);
    assert_int_equal(r.status, USCC_BAD_LENGTH);
    assert_int_equal(r.length, 17);
    assert_int_equal(uscc_check("91110000600037341LL", &r), -1);
    assert_int_equal(r.length, 19);
    assert_int_equal(uscc_check("", &r), -1);
    assert_int_equal(r.length, 0);
    assert_int_equal(uscc_check(NULL, &r), -1);
    assert_int_equal(r.status, USCC_BAD_LENGTH);
    assert_int_equal(r.length, 0);
}

static void test_bad_character_position(void **state)
{
    struct uscc_result r;
    /* I, O, S, V, Z are excluded. */
    assert_int_equal(uscc_check("9111I000600037341L", &r), -1);
    assert_int_equal(r.status, USCC_BAD_CHAR);
    assert_int_equal(r.position, 5);
    assert_int_equal(r.found, 'I');
    const char *excluded = "IOSVZ";
    for (const char *p = excluded; *p; p++) {
        char code[19];
        memcpy(code, "91110000600037341L", 19);
        code[9] = *p;
        assert_int_equal(uscc_check(code, &r), -1);
        assert_int_equal(r.status, USCC_BAD_CHAR);
        assert_int_equal(r.position, 10);
        assert_int_equal(r.found, *p);
    }
    /* Lowercase is a bad character, even a lowercase form of an allowed letter. */
    assert_int_equal(uscc_check("91110000600037341l", &r), -1);
    assert_int_equal(r.status, USCC_BAD_CHAR);
    assert_int_equal(r.position, 18);
    assert_int_equal(r.found, 'l');
    /* The first bad character is reported. */
    assert_int_equal(uscc_check("9-1100006000373-1L", &r), -1);
    assert_int_equal(r.position, 2);
    /* A bad character beats a wrong check. */
    assert_int_equal(uscc_check("91110000600037341O", &r), -1);
    assert_int_equal(r.status, USCC_BAD_CHAR);
}

static void test_bad_check(void **state)
{
    struct uscc_result r;
    assert_int_equal(uscc_check("91110000600037341M", &r), -1);
    assert_int_equal(r.status, USCC_BAD_CHECK);
    assert_int_equal(r.expected, 'L');
    assert_int_equal(r.found, 'M');
    /* A single changed body digit changes the check. */
    assert_int_equal(uscc_check("91110000600037342L", &r), -1);
    assert_int_equal(r.status, USCC_BAD_CHECK);
    assert_int_not_equal(r.expected, 'L');
}

static void test_describe_messages(void **state)
{
    struct uscc_result r;
    char en[160], zh[160];

    uscc_check("9111I000600037341L", &r);
    uscc_describe(&r, en, sizeof en, zh, sizeof zh);
    assert_string_equal(en, "character 5 'I' is not allowed in a USCC");
    assert_string_equal(zh, "第5位字符“I”不是统一社会信用代码允许的字符");

    uscc_check("91110000600037341M", &r);
    uscc_describe(&r, en, sizeof en, zh, sizeof zh);
    assert_string_equal(en, "check character should be 'L', found 'M'");
    assert_string_equal(zh, "校验码应为“L”，实际为“M”");

    uscc_check("91110000600037341", &r);
    uscc_describe(&r, en, sizeof en, zh, sizeof zh);
    assert_string_equal(en, "a USCC has 18 characters, found 17");
    assert_string_equal(zh, "统一社会信用代码应为18位，实际为17位");

    uscc_check("91350200776049653A", &r);
    strcpy(en, "x");
    strcpy(zh, "x");
    uscc_describe(&r, en, sizeof en, zh, sizeof zh);
    assert_string_equal(en, "");
    assert_string_equal(zh, "");
}

static void test_describe_non_ascii_and_truncation(void **state)
{
    struct uscc_result r;
    char en[160], zh[160];
    /* "京" is 3 bytes in UTF-8; 15 ASCII + 3 bytes = 18 bytes, its first byte shown as hex. */
    assert_int_equal(uscc_check("9111000060003734\xe4\xba\xac", &r), -1);
    assert_int_equal(r.status, USCC_BAD_LENGTH);  /* lengths are counted in bytes */
    assert_int_equal(r.length, 19);
    assert_int_equal(uscc_check("911100006000373\xe4\xba\xac", &r), -1);
    assert_int_equal(r.status, USCC_BAD_CHAR);
    assert_int_equal(r.position, 16);
    uscc_describe(&r, en, sizeof en, zh, sizeof zh);
    assert_string_equal(en, "character 16 '0xE4' is not allowed in a USCC");

    /* A small buffer truncates without leaving half a UTF-8 character behind. */
    uscc_check("91110000600037341", &r);
    char small_zh[8];
    char small_en[6];
    uscc_describe(&r, small_en, sizeof small_en, small_zh, sizeof small_zh);
    assert_string_equal(small_en, "a USC");
    assert_string_equal(small_zh, "统一");  /* 6 bytes; a third character would not fit */
    /* Zero-length buffers are left alone. */
    uscc_describe(&r, NULL, 0, NULL, 0);
    uscc_describe(NULL, small_en, sizeof small_en, small_zh, sizeof small_zh);
    assert_string_equal(small_en, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_examples_pass),
        cmocka_unit_test(test_check_character_arithmetic),
        cmocka_unit_test(test_letters_allowed_in_first_eight),
        cmocka_unit_test(test_bad_length),
        cmocka_unit_test(test_bad_character_position),
        cmocka_unit_test(test_bad_check),
        cmocka_unit_test(test_describe_messages),
        cmocka_unit_test(test_describe_non_ascii_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
