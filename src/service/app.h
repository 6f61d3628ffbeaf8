/* app.h — the application context every use case runs in: the store, the policy pack, and the
 * limits the service enforces. One per process. Opaque outside src/service (its fields:
 * service/app_internal.h): http/ and cli/ reach the store and the packs through the functions
 * here and the service's use cases. */
#ifndef BEIAN_APP_H
#define BEIAN_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/date.h"
#include "core/err.h"
#include "policy/pack.h"
#include "policy/registry.h"

struct app;

/* What `beian serve` sets from its options; 0: the defaults (50 MiB uploads; 2 GiB stored and
 * 200 MiB in flight per organisation, 4 uploads at once per user; tokens 90 and 365 days). */
struct app_limits {
    uint64_t max_upload_bytes, quota_stored_bytes, quota_inflight_bytes;
    unsigned uploads_per_user;
    int token_days, token_max_days;
};

/* Open the data directory's store and the policy pack (dir from BEIAN_POLICY_DIR, else the
 * built-in default) into a new context (*out, app_close frees it). */
int app_open(struct app **out, const char *data_dir, bool create, struct err *e);
void app_close(struct app *a);
void app_set_limits(struct app *a, const struct app_limits *l);
const char *app_data_dir(const struct app *a);
/* The largest material upload accepted (bytes; 0: the default). */
uint64_t app_max_upload_bytes(const struct app *a);
/* Every installed version of every pack, and the default pack in force when the app opened. */
struct pack_registry *app_packs(const struct app *a);
const struct pack *app_default_pack(const struct app *a);
/* Does this process run job, work that runs on one node at a time (store_leads)? */
bool app_leads(struct app *a, const char *job);
/* For /healthz and /metrics: {filings: {state: n}, standing: {rule: {severity: n}}, outbox:
 * {state: n}}; NULL when the store does not answer. */
json_t *app_store_counts(struct app *a);
/* The bytes the store's connections hold in their page caches; -1 when the store does not say. */
int64_t app_page_cache_bytes(struct app *a);
/* Recompute the audit log's hash chain: 0 when unbroken, else -1 naming the first bad entry. */
int app_verify_audit(struct app *a, struct err *e);
/* The reads of a GET in one read transaction of this thread (store_read_begin): from the caller's
 * token to the last read of the reply. A write in between ends it (the reads after it see it). */
void app_read_begin(struct app *a);
void app_read_end(struct app *a);
/* Within it: what changes whenever the database does (store_read_generation); false: unknown. */
bool app_read_generation(struct app *a, uint64_t out[2]);
/* The directory policy packs are read from. */
const char *app_policy_root(void);
/* The version of the pack named by spec ("id" or "id@version"; NULL: the default pack) in force
 * on day as_of; falls back to the default pack when none is. */
const struct pack *app_pack_in_force(struct app *a, const char *spec, day_t as_of);
/* Where `beian policy install` puts pack versions: <data>/policy. */
void app_installed_policy_root(const struct app *a, char *buf, size_t len);

#endif
