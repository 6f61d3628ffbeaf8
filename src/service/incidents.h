/* incidents.h — security incidents on filed records (issue 13, "after the number"). The
 * enterprise's filer or org_admin reports an incident on its filed record (an initial filing in
 * state filed) with a level of the pack, the time it was detected and a first report; adds
 * timestamped updates (append-only) while it is open; and closes it with the closure report. The
 * clocks run in real hours from detection: a first report later than the level allows is flagged
 * (late_first_report), an open incident past its closure deadline too (closure_overdue, against
 * clock_now()). Visible to the record's enterprise, the record's authority (its incident queue)
 * and the platform admin; to everyone else, the record's provider included, it does not exist
 * (404). A reviewer or authority_admin of the record's authority may order an extra inspection
 * (a reason and a due date, recorded on the incident). Every write is one transaction with its
 * audit entry. */
#ifndef BEIAN_INCIDENTS_H
#define BEIAN_INCIDENTS_H

#include <jansson.h>
#include "core/err.h"

struct app;
struct principal;

/* POST /filings/{id}/incidents {"level","title","detected_at","summary","measures"?}: the new
 * incident (as incident_get). */
json_t *incident_report(struct app *a, const struct principal *who, int64_t filing_id, const json_t *in,
                        struct err *e);
/* GET /incidents: {"items", "counts": {total, open, closed, late_first_report, closure_overdue},
 * "now"}. Filters (query texts, NULL when absent): state open|closed, late true|false, overdue
 * true|false, filing_id. The counts cover everything the caller sees, whatever the filters. */
json_t *incident_list(struct app *a, const struct principal *who, const char *state, const char *late,
                      const char *overdue, const char *filing_id, struct err *e);
/* GET /incidents/{iid}: the incident with its updates. */
json_t *incident_get(struct app *a, const struct principal *who, int64_t id, struct err *e);
/* POST /incidents/{iid}/updates {"text"}: 409 once closed. */
json_t *incident_add_update(struct app *a, const struct principal *who, int64_t id, const json_t *in, struct err *e);
/* POST /incidents/{iid}/close {"cause","impact","personal_data_involved","individuals_affected"?,
 * "measures"}: 409 once closed. */
json_t *incident_close(struct app *a, const struct principal *who, int64_t id, const json_t *in, struct err *e);
/* POST /incidents/{iid}/order_inspection {"reason","due_date"}: once per incident (409 after). */
json_t *incident_order_inspection(struct app *a, const struct principal *who, int64_t id, const json_t *in,
                                  struct err *e);
/* For /metrics: {total, open, closed, late_first_report, closure_overdue} over every incident. */
json_t *incident_metrics(struct app *a);

#endif
