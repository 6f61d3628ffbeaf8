/* calendar.h — the working-day calendar: weekends are rest days, except make-up workdays (调休);
 * listed holidays are rest days even on weekdays. The data comes from the policy pack; this
 * module only computes. Pure. */
#ifndef BEIAN_CALENDAR_H
#define BEIAN_CALENDAR_H

#include <stdbool.h>
#include "date.h"

struct calendar;

struct calendar *calendar_new(void);
void calendar_free(struct calendar *c);
/* Mark a day as a holiday (rest) or as a make-up workday. 0 ok, -1 out of memory. */
int calendar_add_holiday(struct calendar *c, day_t day);
int calendar_add_workday(struct calendar *c, day_t day);
bool calendar_is_workday(const struct calendar *c, day_t day);
/* The day on which n working days have passed, counting from the day after `start`
 * (n = 1: the first working day after start). n <= 0 returns start. */
day_t calendar_add_working_days(const struct calendar *c, day_t start, int n);
/* The days the calendar's data covers (the published years): outside them a weekday counts as a
 * working day only by assumption, so a date computed past the coverage is an estimate. A calendar
 * with no declared coverage covers every day. */
void calendar_set_coverage(struct calendar *c, day_t first, day_t last);
bool calendar_covers(const struct calendar *c, day_t day);
/* false when no coverage is declared. */
bool calendar_coverage(const struct calendar *c, day_t *first, day_t *last);
/* How many working days lie in (from, to]; 0 when to <= from. */
int calendar_working_days_between(const struct calendar *c, day_t from, day_t to);

#endif
