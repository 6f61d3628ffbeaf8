/* policy_notices.h — telling the enterprises whose filed records a new policy version would break
 * (issue 16): once a version is installed, each filed record that would then fail rules it does
 * not fail today gets a notice to its filers and administrators (event policy.affected) naming the
 * version, the rules and the day it takes effect, by which to act. */
#ifndef BEIAN_POLICY_NOTICES_H
#define BEIAN_POLICY_NOTICES_H

#include <stdint.h>
#include "core/err.h"

struct app;

/* The notices for pack version spec ("id@version"), its rules applied as of today; *notified gets the number of records told (NULL: not wanted). */
int policy_notify_affected(struct app *a, const char *spec, int64_t *notified, struct err *e);

#endif
