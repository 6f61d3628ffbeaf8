/* date.c — calendar days as integers, computed arithmetically in the proleptic Gregorian
 * calendar (H. Hinnant's days_from_civil / civil_from_days). Nothing here reads the libc time
 * zone or locale, so results are the same on every machine. */
#include "date.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum { SECONDS_PER_DAY = 86400, DAYS_PER_ERA = 146097, DATE_MIN_YEAR = 1900, DATE_MAX_YEAR = 9999 };

/* Floor division and its remainder for a positive divisor (C division truncates toward zero). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

static bool is_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int DAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && is_leap_year(y)) ? 29 : DAYS[m - 1];
}

day_t date_from_ymd(int y, int m, int d)
{
    /* A month outside 1..12 is carried into the year, so date_from_ymd(2026, 13, 1) is
     * 2027-01-01; a day outside the month simply counts on from the month's first day. */
    int64_t year = (int64_t)y + floor_div((int64_t)m - 1, 12);
    int64_t month = floor_mod((int64_t)m - 1, 12) + 1;

    year -= month <= 2;
    int64_t era = floor_div(year, 400);
    int64_t year_of_era = year - era * 400;                                     /* [0, 399] */
    int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return (day_t)(era * DAYS_PER_ERA + day_of_era - 719468);
}

void date_to_ymd(day_t day, int *y, int *m, int *d)
{
    int64_t z = (int64_t)day + 719468;
    int64_t era = floor_div(z, DAYS_PER_ERA);
    int64_t day_of_era = z - era * DAYS_PER_ERA;                                /* [0, 146096] */
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t mp = (5 * day_of_year + 2) / 153;                                   /* [0, 11], March = 0 */
    int64_t month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = year_of_era + era * 400 + (month <= 2);
    if (y)
        *y = (int)year;
    if (m)
        *m = (int)month;
    if (d)
        *d = (int)(day_of_year - (153 * mp + 2) / 5 + 1);
}

int date_weekday(day_t day)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    return (int)floor_mod((int64_t)day + 3, 7);
}

/* Reads exactly `count` ASCII digits; -1 when any is not a digit. */
static int read_digits(const char *s, int count)
{
    int value = 0;
    for (int i = 0; i < count; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        value = value * 10 + (s[i] - '0');
    }
    return value;
}

int date_parse(const char *s, day_t *out)
{
    if (!s)
        return -1;
    /* Check the separators before reading digits, so a short string never reads past its NUL:
     * the digit reader stops at the first non-digit, and '\0' is one. */
    int y = read_digits(s, 4);
    if (y < 0 || s[4] != '-')
        return -1;
    int m = read_digits(s + 5, 2);
    if (m < 0 || s[7] != '-')
        return -1;
    int d = read_digits(s + 8, 2);
    if (d < 0 || s[10] != '\0')
        return -1;
    if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    if (out)
        *out = date_from_ymd(y, m, d);
    return 0;
}

void date_format(day_t day, char *buf)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    /* Years outside 0..9999 do not fit "YYYY"; clamp so the output is always 10 characters. */
    if (y < 0)
        y = 0;
    if (y > 9999)
        y = 9999;
    snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
}

day_t date_from_unix(time_t t)
{
    return (day_t)floor_div((int64_t)t, SECONDS_PER_DAY);
}

void time_format_rfc3339(time_t t, char *buf)
{
    int seconds_of_day = (int)floor_mod((int64_t)t, SECONDS_PER_DAY);
    int fields[3] = {seconds_of_day / 3600, seconds_of_day / 60 % 60, seconds_of_day % 60};
    date_format(date_from_unix(t), buf);
    /* Written by hand: every field is known to be two digits, which snprintf cannot prove. */
    char *out = buf + 10;
    *out++ = 'T';
    for (int i = 0; i < 3; i++) {
        if (i > 0)
            *out++ = ':';
        *out++ = (char)('0' + fields[i] / 10);
        *out++ = (char)('0' + fields[i] % 10);
    }
    *out++ = 'Z';
    *out = '\0';
}

day_t date_of_timestamp(const char *ts)
{
    char buf[11];
    day_t d;
    if (!ts || strlen(ts) < 10) return -1;
    snprintf(buf, sizeof buf, "%.10s", ts);
    return date_parse(buf, &d) == 0 ? d : -1;
}
