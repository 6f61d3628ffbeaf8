/* evidence.h — recurring evidence of a filed record between inspections: a vulnerability scan, a
 * training, a drill, a restore test, each on a day and with its material. It updates those facts of
 * the record (the dates the rules read) without a change filing: the standing check and the work
 * lists see the record's document with the newer dates laid over it. */
#ifndef BEIAN_EVIDENCE_H
#define BEIAN_EVIDENCE_H

#include <stdint.h>
#include <jansson.h>
#include "core/err.h"

struct app;
struct principal;
struct store_conn;

/* POST /filings/{id}/evidence {"kind","on_date","material_id","note"}: the enterprise's filer. */
json_t *evidence_add(struct app *a, const struct principal *who, int64_t filing_id, const json_t *in, struct err *e);
/* GET /filings/{id}/evidence: {"items": [...]}, newest first. */
json_t *evidence_list(struct app *a, const struct principal *who, int64_t filing_id, struct err *e);
/* Lay the newest evidence of each kind over record.document (a copy; the stored record is not
 * touched): the fields last_scan, last_training, last_drill, last_restore_test move forward. */
void evidence_overlay(struct store_conn *c, json_t *record);

#endif
