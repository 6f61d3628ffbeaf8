/* clock.c — see clock.h: the sign-in rules' clock is beian's one clock (core/clock.h), moved only
 * by the tests through BEIAN_TEST_CLOCK_FILE (service/test_clock.h). */
#include "service/clock.h"
#include "service/test_clock.h"
#include "core/clock.h"

int64_t service_now(void)
{
    test_clock_refresh();
    return (int64_t)clock_now();
}
