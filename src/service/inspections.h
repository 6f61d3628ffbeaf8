/* inspections.h — the periodic self-inspection of a filed record (定期自查): its schedule (the pack's
 * self_inspection_months for the record's filing type, counted from approval, then from each
 * accepted scheduled report), the reports themselves (the pack's inspection.json, rules INSP-*),
 * prepared by the enterprise's filer, checked by another of its people, reviewed by the record's
 * authority (core/workflow.h's WF_INSPECTION_TABLE), and the extra reports an authority orders.
 *
 * Visibility: the enterprise sees its records' reports; the record's authority those submitted and
 * those it ordered; the platform administrator all; anyone else 404. */
#ifndef BEIAN_INSPECTIONS_H
#define BEIAN_INSPECTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/date.h"
#include "core/err.h"

struct app;
struct principal;
struct store_conn;

/* POST /filings/{id}/inspections: the filer starts the report of the record's current cycle. */
json_t *inspection_start(struct app *a, const struct principal *who, int64_t filing_id, struct err *e);
/* POST /filings/{id}/inspections/order {"reason","due_on"}: the record's authority orders one. */
json_t *inspection_order(struct app *a, const struct principal *who, int64_t filing_id, const json_t *in,
                         struct err *e);
/* GET /inspections (filing_id 0) and GET /filings/{id}/inspections: {"items": [...]} without documents. */
json_t *inspection_list(struct app *a, const struct principal *who, int64_t filing_id, struct err *e);
/* GET /inspections/{iid}: the report with its document, findings, etag, notices and actions. */
json_t *inspection_get(struct app *a, const struct principal *who, int64_t id, struct err *e);
/* PUT (patch false, If-Match required) or PATCH (RFC 7396) /inspections/{iid}/document. */
json_t *inspection_save(struct app *a, const struct principal *who, int64_t id, const json_t *body, bool patch,
                        const char *if_match, struct err *e);
/* POST /inspections/{iid}/actions/{action} {"comment","items"}. */
json_t *inspection_act(struct app *a, const struct principal *who, int64_t id, const char *action, const json_t *in,
                       struct err *e);

/* The schedule of a filed record on day today: {"cycle_months", "next_due", "overdue", "ordered":
 * [{id, due_on, overdue}], "open": [{id, kind, state, due_on}]}. record: the filing row. */
json_t *inspection_schedule(struct store_conn *c, const json_t *record, day_t today);

#endif
