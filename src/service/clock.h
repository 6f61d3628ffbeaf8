/* clock.h — the wall clock the sign-in rules read (throttle delays, token and device-cookie expiry).
 * It is time(NULL), unless the environment names BEIAN_TEST_CLOCK_FILE: then the integer number of
 * seconds in that file is added. Only the tests set it (an operator who can set the environment
 * can set the system clock too); nothing a request sends can move it. */
#ifndef BEIAN_SERVICE_CLOCK_H
#define BEIAN_SERVICE_CLOCK_H

#include <stdint.h>

int64_t service_now(void);

#endif
