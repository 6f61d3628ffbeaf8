/* clock.h — the time beian acts on: the system clock plus an offset. The offset is 0 except in
 * tests, where service/test_clock.c sets it from the file BEIAN_TEST_CLOCK_FILE names, so that a
 * test can walk a record through two years of inspections. No request can move the clock.
 * (service/clock.h's service_now, the sign-in rules' clock, reads the same.) */
#ifndef BEIAN_CLOCK_H
#define BEIAN_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Seconds since the epoch, shifted by the offset. */
time_t clock_now(void);
/* Set the offset (seconds; may be negative). */
void clock_set_offset(int64_t seconds);

#endif
