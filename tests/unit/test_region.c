/* test_region.c — unit tests of GB/T 2260 region code shape and jurisdiction coverage. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/region.h"

static void test_region_code_valid(void **state)
{
    assert_true(region_code_valid("110000"));  /* 北京市 */
    assert_true(region_code_valid("350200"));  /* 厦门市 */
    assert_true(region_code_valid("110105"));  /* 朝阳区 */
    assert_false(region_code_valid("11000"));
    assert_false(region_code_valid("1100000"));
    assert_false(region_code_valid(""));
    assert_false(region_code_valid(NULL));
    assert_false(region_code_valid("11000A"));
    assert_false(region_code_valid(" 110000"));
    assert_false(region_code_valid("110000 "));
    assert_false(region_code_valid("-11000"));
    assert_false(region_code_valid("１１００００"));  /* full-width digits */
}

static void test_province_covers_its_codes(void **state)
{
    assert_true(region_covers("110000", "110000"));
    assert_true(region_covers("110000", "110100"));
    assert_true(region_covers("110000", "110105"));
    assert_true(region_covers("350000", "350200"));
    assert_true(region_covers("350000", "350203"));
    assert_false(region_covers("110000", "120000"));
    assert_false(region_covers("110000", "120101"));
    assert_false(region_covers("350000", "360200"));
}

static void test_city_covers_its_districts(void **state)
{
    assert_true(region_covers("350200", "350200"));
    assert_true(region_covers("350200", "350203"));
    assert_false(region_covers("350200", "350100"));
    assert_false(region_covers("350200", "350000"));  /* a city does not cover its province */
    assert_false(region_covers("350200", "350102"));
}

static void test_county_covers_only_itself(void **state)
{
    assert_true(region_covers("110105", "110105"));
    assert_false(region_covers("110105", "110106"));
    assert_false(region_covers("110105", "110100"));
}

static void test_covers_rejects_malformed(void **state)
{
    assert_false(region_covers(NULL, "110000"));
    assert_false(region_covers("110000", NULL));
    assert_false(region_covers("11", "110105"));      /* not a jurisdiction code */
    assert_false(region_covers("110000", "11"));
    assert_false(region_covers("110000", "11010X"));
    assert_false(region_covers("110000", "1101051"));  /* prefix matches, but too long */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_region_code_valid),
        cmocka_unit_test(test_province_covers_its_codes),
        cmocka_unit_test(test_city_covers_its_districts),
        cmocka_unit_test(test_county_covers_only_itself),
        cmocka_unit_test(test_covers_rejects_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
