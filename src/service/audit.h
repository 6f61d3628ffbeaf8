/* audit.h — appending to and reading the audit log (every write and every transition). */
#ifndef BEIAN_AUDIT_H
#define BEIAN_AUDIT_H

#include <stdint.h>
#include <jansson.h>
#include "core/err.h"

struct app;
struct principal;
struct store_conn;
struct store_scope;

/* Append one entry inside the current write job. before/after: SHA-256 of the document. */
int audit_record(struct store_conn *c, const struct principal *who, const char *action, const char *object_type,
                 int64_t object_id, int64_t filing_id, int64_t org_id, const char *before_sha,
                 const char *after_sha, const json_t *detail, struct err *e);
/* audit_record for an entry of a filing whose parties and names the caller holds, with the
 * write's cache of recipients and the texts' parameters if made beforehand (notify.h:
 * notify_from_event_of): the same entry and notifications without reading the filing again; for a
 * writer of many entries (the standing pass). */
struct audit_entry;
struct notify_filing;
struct notify_cache;
int audit_record_of(struct store_conn *c, const struct audit_entry *entry, const struct notify_filing *filing,
                    struct notify_cache *cache, const char *params_text, struct err *e);
/* The scope of what a principal may see. */
void audit_scope_of(const struct principal *who, struct store_scope *scope);
/* GET /audit: entries the caller may see, newest first. */
json_t *audit_list(struct app *a, const struct principal *who, int64_t filing_id, int limit, int64_t cursor,
                   struct err *e);

#endif
