/* supervision.h — the work list of filed records: for an enterprise its own, for an authority those
 * of its jurisdiction, each with its next dates (self-inspection due, agreement valid until, next
 * vulnerability scan, last drill) and what is overdue or standing against it, with counts. */
#ifndef BEIAN_SUPERVISION_H
#define BEIAN_SUPERVISION_H

#include <jansson.h>
#include "core/err.h"

struct app;
struct principal;

/* GET /records[?overdue=true]: {"items": [...], "counts": {"records", "inspection_overdue",
 * "with_standing_errors", "ordered_overdue"}}; overdue "true" keeps only records with something
 * overdue or an error standing. */
json_t *supervision_list(struct app *a, const struct principal *who, const char *overdue, struct err *e);

#endif
