/* statistics.h — the figures of the filings a caller may see, in one answer (GET /statistics): what
 * the dashboard draws and an authority reports upwards. Counted by the store (GROUP BY), never by
 * loading filings; the self-inspection schedule of each supervised record is read without its
 * document. Scope is the list's (store_filing_list), records the supervision's (supervision.h). */
#ifndef BEIAN_STATISTICS_H
#define BEIAN_STATISTICS_H

#include <jansson.h>
#include "core/err.h"

struct app;
struct principal;

/* {"as_of": "YYYY-MM-DD", "total", "by_state": {state: n}, "by_type": {type: n, "": unclassified},
 *  "by_region": {code: n}, "by_month": [{"month": "YYYY-MM", "submitted", "filed", "rejected"}] (every
 *  month from the first to the last that counts something, ascending),
 *  "review_turnaround": {"reviews", "median_working_days", "p90_working_days"} (working days of the
 *  pack's calendar from first submission to the decision — the number or the rejection — including
 *  time spent in rectification; percentiles interpolated as PERCENTILE.INC, null without reviews),
 *  "overdue": {"reviews", "inspections", "ordered_inspections", "change_reports_late",
 *  "records_with_standing_errors", "incidents_late_first_report", "incidents_closure_overdue"}}. */
json_t *statistics_get(struct app *a, const struct principal *who, struct err *e);

#endif
