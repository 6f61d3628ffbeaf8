/* change_reports.h — the change reports of filed records. A change filing (kind "change") is
 * classified by the pack's changes.lua against the record it amends: major changes get the full
 * review; a minor one goes on the record as soon as the enterprise's checker approves it, and the
 * authority may object within the pack's number of working days (then it gets the full review).
 * Each change states the day it took effect (report_change's effective_on); a report past the
 * pack's limit is late, with the reason. */
#ifndef BEIAN_CHANGE_REPORTS_H
#define BEIAN_CHANGE_REPORTS_H

#include <stdbool.h>
#include <jansson.h>
#include "store/store.h"

struct app;

/* For a change filing row (kind, parent_id, document, effective_on, reported_on): classify it
 * against its record's current document under the pack in force today and set row.derived.change
 * ({class, reasons, report_by, late, late_reason}), row.change_class, row.late (bool) and
 * row.late_reason (JSON text or null). A report not yet sent is judged as if sent today. Other
 * rows, and a change already on the record (filed, minor_recorded), are left alone. */
void change_classify(struct app *a, struct store_conn *c, json_t *row);

/* The pack's verdict, from row.derived (parsed or JSON text): is it a minor change? */
bool change_is_minor(const json_t *row);

/* The last day the authority may object to a minor change recorded today (YYYY-MM-DD into buf),
 * counted in working days of the pack's calendar; false when the pack has no objection window
 * (then nothing is recorded as minor). */
bool change_objection_due(struct app *a, const json_t *row, char buf[11]);

/* Is the objection window of a recorded minor change still open today? */
bool change_objection_open(const json_t *row);

/* The members a view of a change filing shows, made in v (the row, being made its view): late
 * (bool), late_reason ({code,zh,en} or null), and for a recorded minor change objection_open and
 * final. A view of an initial filing loses the change report's members. */
void change_view(json_t *v);

#endif
