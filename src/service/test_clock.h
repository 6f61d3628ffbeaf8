/* test_clock.h — moving beian's clock in tests. When the environment names a file in
 * BEIAN_TEST_CLOCK_FILE (a test harness sets it when it starts the server or the CLI), the file
 * holds a whole number of seconds that clock_now() adds to the system clock; the file is read again
 * before each request and each tick, so a test moves time by rewriting it. Without the variable
 * nothing is read and the clock is the system's. Requests cannot reach it. */
#ifndef BEIAN_TEST_CLOCK_H
#define BEIAN_TEST_CLOCK_H

/* Read the offset file, if tests enabled it. Cheap when they did not. */
void test_clock_refresh(void);

#endif
