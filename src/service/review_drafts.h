/* review_drafts.h — a reviewer's rectification request in preparation, kept on the server so that
 * it survives a reload or another device until it is sent (issue 16). Only a reviewer of the
 * filing's authority reads or writes it, and only while the filing is under review may it change;
 * each reviewer has their own. Sending the request (or any other step out of review) clears the
 * drafts of the filing. */
#ifndef BEIAN_REVIEW_DRAFTS_H
#define BEIAN_REVIEW_DRAFTS_H

#include <stdint.h>
#include <jansson.h>
#include "core/err.h"

struct app;
struct principal;
struct pack;
struct store_conn;

/* The caller's draft of filing id: {"filing_id", "items": [{path, message}…], "comment",
 * "updated_at"} (items empty and the others null when there is none). */
json_t *review_draft_get(struct app *a, const struct principal *who, int64_t id, struct err *e);
/* Replace it with {"items": [{path, message}…] (0 to 100), "comment"?}; the draft as stored. */
json_t *review_draft_put(struct app *a, const struct principal *who, int64_t id, const json_t *in, struct err *e);
/* Throw it away (0), whatever state the filing is in. */
int review_draft_delete(struct app *a, const struct principal *who, int64_t id, struct err *e);
/* Every draft of the filing, inside the writer's transaction of the step that leaves review. */
int review_drafts_clear(struct store_conn *c, int64_t filing_id, struct err *e);

/* Each item of a rectification list is {path, message} and its path a field of the form of p;
 * the field of e names the item at fault (/items/N/…). */
int review_items_check(const struct pack *p, const json_t *items, struct err *e);

#endif
