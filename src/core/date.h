/* date.h — calendar days as integers (days since 1970-01-01, UTC) and ISO 8601 parsing. Pure. */
#ifndef BEIAN_DATE_H
#define BEIAN_DATE_H

#include <stdint.h>
#include <time.h>

typedef int32_t day_t;

day_t date_from_ymd(int y, int m, int d);
void date_to_ymd(day_t day, int *y, int *m, int *d);
/* 0 = Monday … 6 = Sunday */
int date_weekday(day_t day);
/* Parses exactly "YYYY-MM-DD" (a real day of the Gregorian calendar). 0 ok, -1 bad. */
int date_parse(const char *s, day_t *out);
/* Writes "YYYY-MM-DD" (buf of at least 11 bytes). */
void date_format(day_t day, char *buf);
/* The day part of an RFC 3339 timestamp ("2026-03-02T08:00:00Z" → that day; a bare day too), or -1. */
day_t date_of_timestamp(const char *ts);
/* The UTC day of a unix time. */
day_t date_from_unix(time_t t);
/* RFC 3339 UTC timestamp "YYYY-MM-DDTHH:MM:SSZ" (buf of at least 21 bytes). */
void time_format_rfc3339(time_t t, char *buf);

#endif
