/* test_calendar.c — unit tests of date.h (day numbers, parsing, formatting) and calendar.h
 * (working days with holidays and make-up workdays, using the PRC 2026 National Day schedule). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/date.h"

enum { MONDAY = 0, WEDNESDAY = 2, THURSDAY = 3, FRIDAY = 4, SATURDAY = 5, SUNDAY = 6 };

static day_t ymd(int y, int m, int d)
{
    return date_from_ymd(y, m, d);
}

/* ---- date.h -------------------------------------------------------------------------- */

static void test_date_known_day_numbers(void **state)
{
    /* Reference values computed independently (Python datetime). */
    assert_int_equal(ymd(1970, 1, 1), 0);
    assert_int_equal(ymd(1969, 12, 31), -1);
    assert_int_equal(ymd(2000, 3, 1), 11017);
    assert_int_equal(ymd(1900, 1, 1), -25567);
    assert_int_equal(ymd(9999, 12, 31), 2932896);
    assert_int_equal(ymd(2026, 10, 1), 20727);
    /* A month past December carries into the next year. */
    assert_int_equal(ymd(2026, 13, 1), ymd(2027, 1, 1));
    assert_int_equal(ymd(2026, 0, 1), ymd(2025, 12, 1));
}

static void test_date_round_trip_every_day(void **state)
{
    int y, m, d;
    day_t previous = ymd(1899, 12, 31);
    for (int year = 1900; year <= 9999; year++) {
        for (int month = 1; month <= 12; month++) {
            for (int day = 1; day <= 31; day++) {
                char text[16];
                day_t parsed;
                snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
                if (date_parse(text, &parsed) != 0)
                    continue;  /* not a real day */
                /* consecutive real days are consecutive numbers */
                assert_int_equal(parsed, previous + 1);
                previous = parsed;
                date_to_ymd(parsed, &y, &m, &d);
                assert_int_equal(y, year);
                assert_int_equal(m, month);
                assert_int_equal(d, day);
                char back[11];
                date_format(parsed, back);
                assert_string_equal(back, text);
            }
        }
    }
    assert_int_equal(previous, ymd(9999, 12, 31));
}

static void test_date_weekday(void **state)
{
    assert_int_equal(date_weekday(0), THURSDAY);           /* 1970-01-01 */
    assert_int_equal(date_weekday(-1), WEDNESDAY);         /* 1969-12-31 */
    assert_int_equal(date_weekday(ymd(1900, 1, 1)), MONDAY);
    assert_int_equal(date_weekday(ymd(2026, 1, 1)), THURSDAY);
    assert_int_equal(date_weekday(ymd(2026, 10, 1)), THURSDAY);
    assert_int_equal(date_weekday(ymd(2026, 9, 20)), SUNDAY);
    assert_int_equal(date_weekday(ymd(2026, 10, 10)), SATURDAY);
}

static void test_date_parse_accepts(void **state)
{
    day_t day = 0;
    assert_int_equal(date_parse("2026-10-01", &day), 0);
    assert_int_equal(day, 20727);
    assert_int_equal(date_parse("2024-02-29", &day), 0);  /* leap year */
    assert_int_equal(date_parse("2000-02-29", &day), 0);  /* divisible by 400 */
    assert_int_equal(date_parse("1900-01-01", &day), 0);
    assert_int_equal(date_parse("9999-12-31", &day), 0);
    assert_int_equal(date_parse("2026-12-31", NULL), 0);
}

static void test_date_parse_rejects(void **state)
{
    const char *bad[] = {
        "2026-02-29",  /* not a leap year */
        "1900-02-29",  /* century, not divisible by 400 */
        "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32",
        "2026-1-01", "2026-01-1", "26-01-01", "2026-01-01x", "2026-01-01T00:00:00Z",
        " 2026-01-01", "2026-01-01 ", "2026/01/01", "2026-01", "2026", "", "+026-01-01",
        "1899-12-31", "0000-01-01", "10000-01-01", "2026-0a-01", "２０２６-01-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        day_t day = 12345;
        if (date_parse(bad[i], &day) != -1)
            fail_msg("date_parse accepted \"%s\"", bad[i]);
        assert_int_equal(day, 12345);  /* untouched on failure */
    }
    assert_int_equal(date_parse(NULL, NULL), -1);
}

static void test_date_format_and_unix(void **state)
{
    char buf[32];
    date_format(-1, buf);
    assert_string_equal(buf, "1969-12-31");
    date_format(ymd(2026, 10, 1), buf);
    assert_string_equal(buf, "2026-10-01");

    assert_int_equal(date_from_unix(0), 0);
    assert_int_equal(date_from_unix(86399), 0);
    assert_int_equal(date_from_unix(86400), 1);
    assert_int_equal(date_from_unix(-1), -1);  /* floor, not truncation */
    assert_int_equal(date_from_unix(-86400), -1);
    assert_int_equal(date_from_unix(-86401), -2);

    time_format_rfc3339(0, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    time_format_rfc3339(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    time_format_rfc3339(1700000000, buf);
    assert_string_equal(buf, "2023-11-14T22:13:20Z");
    time_format_rfc3339(-1234567890, buf);
    assert_string_equal(buf, "1930-11-18T00:28:30Z");
    assert_int_equal(strlen(buf), 20);
}

/* ---- calendar.h ---------------------------------------------------------------------- */

/* The State Council's 2026 National Day arrangement: 10-01 to 10-07 off; Sunday 09-20 and
 * Saturday 10-10 are make-up workdays. */
static struct calendar *national_day_2026(void)
{
    struct calendar *c = calendar_new();
    assert_non_null(c);
    for (int d = 1; d <= 7; d++)
        assert_int_equal(calendar_add_holiday(c, ymd(2026, 10, d)), 0);
    assert_int_equal(calendar_add_workday(c, ymd(2026, 9, 20)), 0);
    assert_int_equal(calendar_add_workday(c, ymd(2026, 10, 10)), 0);
    return c;
}

static void test_calendar_facts_are_consistent(void **state)
{
    /* The make-up days really fall on a weekend, and the holiday week covers weekdays. */
    assert_true(date_weekday(ymd(2026, 9, 20)) >= SATURDAY);
    assert_true(date_weekday(ymd(2026, 10, 10)) >= SATURDAY);
    int weekdays_off = 0;
    for (int d = 1; d <= 7; d++)
        weekdays_off += date_weekday(ymd(2026, 10, d)) < SATURDAY;
    assert_int_equal(weekdays_off, 5);  /* Thu, Fri, Mon, Tue, Wed */
    /* 5 weekdays taken off, 2 weekend days given back: 3 days net, as published. */
}

static void test_calendar_is_workday(void **state)
{
    struct calendar *c = national_day_2026();
    assert_true(calendar_is_workday(c, ymd(2026, 9, 30)));    /* Wednesday */
    for (int d = 1; d <= 7; d++)
        assert_false(calendar_is_workday(c, ymd(2026, 10, d)));  /* holiday beats weekday */
    assert_true(calendar_is_workday(c, ymd(2026, 10, 8)));    /* Thursday */
    assert_true(calendar_is_workday(c, ymd(2026, 10, 10)));   /* make-up beats Saturday */
    assert_false(calendar_is_workday(c, ymd(2026, 10, 11)));  /* ordinary Sunday */
    assert_false(calendar_is_workday(c, ymd(2026, 9, 19)));   /* ordinary Saturday */
    assert_true(calendar_is_workday(c, ymd(2026, 9, 20)));    /* make-up beats Sunday */
    calendar_free(c);

    /* Without a calendar (or an empty one) only weekends rest. */
    assert_false(calendar_is_workday(NULL, ymd(2026, 10, 10)));
    assert_true(calendar_is_workday(NULL, ymd(2026, 10, 1)));
}

static void test_calendar_add_working_days(void **state)
{
    struct calendar *c = national_day_2026();
    day_t eve = ymd(2026, 9, 30);
    assert_int_equal(calendar_add_working_days(c, eve, 1), ymd(2026, 10, 8));
    assert_int_equal(calendar_add_working_days(c, eve, 3), ymd(2026, 10, 10));
    assert_int_equal(calendar_add_working_days(c, eve, 4), ymd(2026, 10, 12));
    /* 10 working days (police certificate): 10-08, 09, 10, 12, 13, 14, 15, 16, 19, 20. */
    assert_int_equal(calendar_add_working_days(c, eve, 10), ymd(2026, 10, 20));
    /* Starting on a make-up Saturday counts from the Sunday after it. */
    assert_int_equal(calendar_add_working_days(c, ymd(2026, 10, 10), 1), ymd(2026, 10, 12));
    /* Friday before the make-up Sunday: Sunday 09-20 is the first working day. */
    assert_int_equal(calendar_add_working_days(c, ymd(2026, 9, 18), 1), ymd(2026, 9, 20));
    /* n <= 0 returns start. */
    assert_int_equal(calendar_add_working_days(c, eve, 0), eve);
    assert_int_equal(calendar_add_working_days(c, eve, -5), eve);
    /* Without holidays: Friday + 1 is Monday. */
    assert_int_equal(calendar_add_working_days(NULL, ymd(2026, 10, 16), 1), ymd(2026, 10, 19));
    /* A huge n is clamped and finishes quickly, landing after start. */
    assert_true(calendar_add_working_days(c, eve, INT_MAX) > eve);
    /* No overflow at the end of the day range. */
    assert_int_equal(calendar_add_working_days(NULL, INT32_MAX - 3, 100), INT32_MAX);
    calendar_free(c);
}

static void test_calendar_working_days_between(void **state)
{
    struct calendar *c = national_day_2026();
    assert_int_equal(calendar_working_days_between(c, ymd(2026, 9, 30), ymd(2026, 10, 20)), 10);
    /* (Fri 09-18, Mon 09-21]: Sat rests, Sun is a make-up workday, Mon works. */
    assert_int_equal(calendar_working_days_between(c, ymd(2026, 9, 18), ymd(2026, 9, 21)), 2);
    /* The holiday week itself has no working days. */
    assert_int_equal(calendar_working_days_between(c, ymd(2026, 9, 30), ymd(2026, 10, 7)), 0);
    assert_int_equal(calendar_working_days_between(c, ymd(2026, 10, 20), ymd(2026, 9, 30)), 0);
    assert_int_equal(calendar_working_days_between(c, ymd(2026, 9, 30), ymd(2026, 9, 30)), 0);
    /* September + October 2026: 22 + 22 weekdays, minus 5 holiday weekdays, plus 2 make-ups. */
    assert_int_equal(calendar_working_days_between(c, ymd(2026, 8, 31), ymd(2026, 10, 31)), 41);
    calendar_free(c);
}

static void test_calendar_between_matches_day_by_day(void **state)
{
    /* The arithmetic count agrees with walking day by day, and with add_working_days, over
     * ranges that cross the epoch (negative day numbers) and the holiday weeks. */
    struct calendar *c = national_day_2026();
    assert_int_equal(calendar_add_holiday(c, ymd(1970, 1, 1)), 0);
    assert_int_equal(calendar_add_workday(c, ymd(1969, 12, 27)), 0);  /* a Saturday */
    day_t starts[] = {ymd(1969, 12, 20), ymd(2026, 9, 14), ymd(2026, 9, 27), ymd(2026, 10, 3)};
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        int walked = 0;
        for (day_t to = starts[s] + 1; to < starts[s] + 60; to++) {
            walked += calendar_is_workday(c, to);
            assert_int_equal(calendar_working_days_between(c, starts[s], to), walked);
            if (calendar_is_workday(c, to))
                assert_int_equal(calendar_add_working_days(c, starts[s], walked), to);
        }
    }
    calendar_free(c);
}

static void test_calendar_last_marking_wins(void **state)
{
    struct calendar *c = calendar_new();
    assert_non_null(c);
    day_t saturday = ymd(2026, 10, 10);
    day_t thursday = ymd(2026, 10, 1);
    /* Duplicates are harmless. */
    assert_int_equal(calendar_add_holiday(c, thursday), 0);
    assert_int_equal(calendar_add_holiday(c, thursday), 0);
    assert_int_equal(calendar_working_days_between(c, thursday - 1, thursday + 1), 1);
    /* Re-marking a holiday as a workday makes it a workday, and back again. */
    assert_int_equal(calendar_add_workday(c, thursday), 0);
    assert_true(calendar_is_workday(c, thursday));
    assert_int_equal(calendar_add_holiday(c, thursday), 0);
    assert_false(calendar_is_workday(c, thursday));
    assert_int_equal(calendar_add_workday(c, saturday), 0);
    assert_int_equal(calendar_add_holiday(c, saturday), 0);
    assert_false(calendar_is_workday(c, saturday));
    /* Many entries out of order keep the sets sorted. */
    for (int i = 400; i > 0; i--)
        assert_int_equal(calendar_add_holiday(c, ymd(2027, 1, 1) + i * 7), 0);  /* Fridays */
    assert_int_equal(calendar_working_days_between(c, ymd(2027, 1, 1), ymd(2027, 1, 1) + 70), 40);
    calendar_free(c);
    calendar_free(NULL);
    assert_int_equal(calendar_add_holiday(NULL, 0), -1);
    assert_int_equal(calendar_add_workday(NULL, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_known_day_numbers),
        cmocka_unit_test(test_date_round_trip_every_day),
        cmocka_unit_test(test_date_weekday),
        cmocka_unit_test(test_date_parse_accepts),
        cmocka_unit_test(test_date_parse_rejects),
        cmocka_unit_test(test_date_format_and_unix),
        cmocka_unit_test(test_calendar_facts_are_consistent),
        cmocka_unit_test(test_calendar_is_workday),
        cmocka_unit_test(test_calendar_add_working_days),
        cmocka_unit_test(test_calendar_working_days_between),
        cmocka_unit_test(test_calendar_between_matches_day_by_day),
        cmocka_unit_test(test_calendar_last_marking_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
