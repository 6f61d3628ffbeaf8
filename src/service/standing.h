/* standing.h — the daily standing check of every filed record: re-evaluated against the day and
 * the pack version in force, what stands against it kept per record with the day it appeared, its
 * appearance and disappearance audited as events. Run by a timer in `beian serve` and by
 * `beian tick --data DIR` (by hand or from cron); both check each record once a day. */
#ifndef BEIAN_STANDING_H
#define BEIAN_STANDING_H

#include <stdint.h>
#include <jansson.h>
#include "core/err.h"

struct app;
struct principal;

struct standing_report { int records, appeared, cleared; };

/* Check every filed record not yet checked today (clock_now's day). 0, or -1 with e. */
int standing_tick(struct app *a, struct standing_report *out, struct err *e);
/* GET /filings/{id}/standing: {"items": [standing findings], "checked_on", "inspection": schedule}. */
json_t *standing_of(struct app *a, const struct principal *who, int64_t filing_id, struct err *e);

/* The server's timer: a thread that runs standing_tick every minute (a record is checked once a
 * day, so most passes find nothing to do). Stop joins it. */
struct standing_timer;
struct standing_timer *standing_timer_start(struct app *a);
void standing_timer_stop(struct standing_timer *t);

#endif
