/* timestamp.h — parsing RFC 3339 timestamps (the inverse of time_format_rfc3339 in date.h). Pure. */
#ifndef BEIAN_TIMESTAMP_H
#define BEIAN_TIMESTAMP_H

#include <time.h>

/* Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)" (RFC 3339 section 5.6; 't'/'z' and a space
 * for the 'T' accepted; the fraction is dropped) into seconds since the epoch. The date must be a
 * real day, the time 00:00:00..23:59:60 (a leap second reads as :59). 0 ok, -1 bad. */
int time_parse_rfc3339(const char *s, time_t *out);

#endif
