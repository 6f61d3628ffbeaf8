/* calendar.c — working days: Monday–Friday, minus listed holidays, plus listed make-up workdays.
 *
 * Two sorted arrays of days, kept disjoint: marking a day as a holiday removes it from the
 * make-up workdays and the other way round, so the last marking of a day wins. Lookups are
 * binary searches. Counting the working days of a range is arithmetic (whole weeks) corrected by
 * the listed days inside the range, so it costs O(listed days), not O(range). */
#include "calendar.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Far more than any published calendar needs (about 30 listed days a year); keeps a runaway
 * loader from growing the arrays without end. */
enum { CALENDAR_MAX_LISTED_DAYS = 1 << 20 };

/* add_working_days clamps n to this (about 3,800 years) so the walk stays short. */
enum { CALENDAR_MAX_WORKING_DAYS = 1000000 };

/* 1970-01-05, the first Monday on or after the epoch. */
enum { EPOCH_MONDAY = 4 };

struct day_set {
    day_t *days;  /* ascending, no duplicates */
    size_t count;
    size_t capacity;
};

struct calendar {
    struct day_set holidays;  /* rest days, even on a weekday */
    struct day_set workdays;  /* make-up workdays (调休), even on a weekend */
    bool has_coverage;        /* the days the published calendars cover, when declared */
    day_t covered_from, covered_until;
};

/* Index of the first element >= day (count when none). */
static size_t day_set_lower_bound(const struct day_set *set, day_t day)
{
    size_t low = 0, high = set->count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (set->days[mid] < day)
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

static bool day_set_contains(const struct day_set *set, day_t day)
{
    size_t i = day_set_lower_bound(set, day);
    return i < set->count && set->days[i] == day;
}

/* 0 ok (also when already present), -1 out of memory or full. */
static int day_set_insert(struct day_set *set, day_t day)
{
    size_t i = day_set_lower_bound(set, day);
    if (i < set->count && set->days[i] == day)
        return 0;
    if (set->count == set->capacity) {
        if (set->capacity >= CALENDAR_MAX_LISTED_DAYS)
            return -1;
        size_t capacity = set->capacity ? set->capacity * 2 : 64;
        day_t *days = realloc(set->days, capacity * sizeof *days);
        if (!days)
            return -1;
        set->days = days;
        set->capacity = capacity;
    }
    memmove(set->days + i + 1, set->days + i, (set->count - i) * sizeof *set->days);
    set->days[i] = day;
    set->count++;
    return 0;
}

static void day_set_remove(struct day_set *set, day_t day)
{
    size_t i = day_set_lower_bound(set, day);
    if (i < set->count && set->days[i] == day) {
        memmove(set->days + i, set->days + i + 1, (set->count - i - 1) * sizeof *set->days);
        set->count--;
    }
}

static bool is_weekend(day_t day)
{
    return date_weekday(day) >= 5;
}

struct calendar *calendar_new(void)
{
    return calloc(1, sizeof(struct calendar));
}

void calendar_free(struct calendar *c)
{
    if (!c)
        return;
    free(c->holidays.days);
    free(c->workdays.days);
    free(c);
}

int calendar_add_holiday(struct calendar *c, day_t day)
{
    if (!c || day_set_insert(&c->holidays, day) != 0)
        return -1;
    day_set_remove(&c->workdays, day);
    return 0;
}

int calendar_add_workday(struct calendar *c, day_t day)
{
    if (!c || day_set_insert(&c->workdays, day) != 0)
        return -1;
    day_set_remove(&c->holidays, day);
    return 0;
}

bool calendar_is_workday(const struct calendar *c, day_t day)
{
    if (c && day_set_contains(&c->workdays, day))
        return true;
    if (c && day_set_contains(&c->holidays, day))
        return false;
    return !is_weekend(day);
}

day_t calendar_add_working_days(const struct calendar *c, day_t start, int n)
{
    if (n <= 0)
        return start;
    if (n > CALENDAR_MAX_WORKING_DAYS)
        n = CALENDAR_MAX_WORKING_DAYS;
    /* Every 7 consecutive days hold 5 weekdays, and only listed holidays can take weekdays
     * away, so n working days are always found within 7/5 × (n + holidays) + 7 days; twice that
     * is a safe bound for the walk. */
    int64_t holidays = c ? (int64_t)c->holidays.count : 0;
    int64_t limit = 2 * ((int64_t)n + holidays) + 14;
    int64_t day = start;
    int remaining = n;
    for (int64_t step = 0; step < limit; step++) {
        if (day >= INT32_MAX)
            return INT32_MAX;
        day++;
        if (calendar_is_workday(c, (day_t)day) && --remaining == 0)
            break;
    }
    return (day_t)day;
}

/* Weekdays (Monday–Friday) counted from EPOCH_MONDAY up to and including day; differences of
 * this give the weekdays of any range, negative days included (floor arithmetic). */
static int64_t weekdays_through(int64_t day)
{
    int64_t days = day - EPOCH_MONDAY + 1;
    int64_t weeks = days / 7;
    int64_t rest = days % 7;
    if (rest < 0) {
        rest += 7;
        weeks--;
    }
    return 5 * weeks + (rest < 5 ? rest : 5);
}

int calendar_working_days_between(const struct calendar *c, day_t from, day_t to)
{
    if (to <= from)
        return 0;
    int64_t count = weekdays_through(to) - weekdays_through(from);
    if (c) {
        /* The two sets are disjoint, so each listed day in (from, to] corrects the count once. */
        for (size_t i = day_set_lower_bound(&c->holidays, from + 1);
             i < c->holidays.count && c->holidays.days[i] <= to; i++)
            count -= !is_weekend(c->holidays.days[i]);
        for (size_t i = day_set_lower_bound(&c->workdays, from + 1);
             i < c->workdays.count && c->workdays.days[i] <= to; i++)
            count += is_weekend(c->workdays.days[i]);
    }
    return count > INT_MAX ? INT_MAX : (int)count;
}

void calendar_set_coverage(struct calendar *c, day_t first, day_t last)
{
    c->has_coverage = true;
    c->covered_from = first;
    c->covered_until = last;
}

bool calendar_covers(const struct calendar *c, day_t day)
{
    return !c->has_coverage || (day >= c->covered_from && day <= c->covered_until);
}

bool calendar_coverage(const struct calendar *c, day_t *first, day_t *last)
{
    if (!c->has_coverage)
        return false;
    *first = c->covered_from;
    *last = c->covered_until;
    return true;
}
