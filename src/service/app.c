/* app.c — opens and closes the application context (store + policy pack + limits), and what
 * http/ and cli/ may ask of it (service/app.h). */
#include "service/app_internal.h"
#include "service/filing_traces.h"
#include "service/filing_facts_kept.h"
#include "core/clock.h"
#include "service/policy_jobs.h"
#include "service/auth.h"
#include "service/quota.h"
#include "store/keys.h"
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/date.h"

const char *app_policy_root(void)
{
    const char *env = getenv("BEIAN_POLICY_DIR");
    return env && *env ? env : BEIAN_DEFAULT_POLICY_DIR;
}

void app_installed_policy_root(const struct app *a, char *buf, size_t len)
{
    snprintf(buf, len, "%s/policy", a->data_dir);
}

const struct pack *app_pack_in_force(struct app *a, const char *spec, day_t as_of)
{
    char id[64];
    const char *at = spec ? strchr(spec, '@') : NULL;
    snprintf(id, sizeof id, "%.*s", at ? (int)(at - spec) : 63, spec ? spec : a->pack->id);
    const struct pack *p = registry_in_force(a->packs, id, as_of);
    return p ? p : a->pack;
}

/* `beian init` makes a deployment: a PostgreSQL database that already holds one (another node's,
 * a restored one) is left as it is, the operator told what to do instead. */
static int refuse_existing_schema(const char *location, struct err *e)
{
    int version, latest;
    if (store_schema_version(location, &version, &latest, e) != 0) return -1;
    if (version < 0) return 0;
    if (version < latest)
        return err_set(e, ERR_CONFLICT, "store",
                       "the PostgreSQL database already holds a beian deployment, at an older schema (%d of %d); nothing "
                       "changed. 'beian serve --data DIR --store URI' migrates it forward and serves it",
                       "该 PostgreSQL 数据库已有 beian 部署，模式版本较旧（%d/%d）；未做任何更改。"
                       "'beian serve --data DIR --store URI' 会将其迁移到新版本并提供服务",
                       version, latest);
    return err_set(e, ERR_CONFLICT, "store",
                   "the PostgreSQL database already holds a beian deployment (schema %d); nothing changed. Another "
                   "node serves it with 'beian serve --data DIR --store URI'",
                   "该 PostgreSQL 数据库已有 beian 部署（模式版本 %d）；未做任何更改。其他节点可用 "
                   "'beian serve --data DIR --store URI' 为其提供服务",
                   version);
}

static int app_init(struct app *a, const char *data_dir, bool create, struct err *e)
{
    if (sodium_init() < 0) return err_set(e, ERR_INTERNAL, NULL, "libsodium failed to start", "libsodium 初始化失败");
    snprintf(a->data_dir, sizeof a->data_dir, "%s", data_dir);
    char installed[4200];
    app_installed_policy_root(a, installed, sizeof installed);
    if (registry_load(app_policy_root(), installed, &a->packs, e) != 0) return -1;
    a->pack = registry_in_force(a->packs, "cn-cloud", date_from_unix(clock_now()));
    if (!a->pack) {
        registry_free(a->packs);
        a->packs = NULL;
        return err_set(e, ERR_NOT_FOUND, NULL, "no version of the policy pack cn-cloud is in force today",
                       "今天没有生效的 cn-cloud 策略包版本");
    }
    /* the store: SQLite in the data directory, unless BEIAN_STORE (or --store) names PostgreSQL */
    if (create && refuse_existing_schema(getenv("BEIAN_STORE"), e) != 0) {
        registry_free(a->packs);
        a->packs = NULL;
        a->pack = NULL;
        return -1;
    }
    if (store_open(data_dir, getenv("BEIAN_STORE"), create, &a->store, e) != 0) {
        registry_free(a->packs);
        a->packs = NULL;
        a->pack = NULL;
        return -1;
    }
    /* PostgreSQL: a data directory's keys become the deployment's when it has none yet */
    if (keys_adopt(a->store, e) != 0) {
        store_close(a->store);
        registry_free(a->packs);
        memset(a, 0, sizeof *a);
        return -1;
    }
    pthread_mutex_init(&a->hash_mu, NULL);
    pthread_cond_init(&a->hash_cv, NULL);
    a->hash_slots = 2;
    a->hash_waiters = 8;
    a->throttle = throttle_new();
    a->upload_quota = upload_quota_new();
    return 0;
}

int app_open(struct app **out, const char *data_dir, bool create, struct err *e)
{
    struct app *a = calloc(1, sizeof *a);
    if (!a) return err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足");
    if (app_init(a, data_dir, create, e) != 0) { free(a); return -1; }
    *out = a;
    return 0;
}
void app_read_begin(struct app *a) { store_read_begin(a->store); }
void app_read_end(struct app *a) { store_read_end(a->store); }
bool app_read_generation(struct app *a, uint64_t out[2]) { return store_read_generation(a->store, out); }

void app_close(struct app *a)
{
    if (!a) return;
    policy_jobs_stop(); /* the install worker uses the store and the packs */
    store_close(a->store);
    filing_traces_clear(); /* they hold the packs' programs */
    filing_facts_kept_clear();   /* and the packs' addresses */
    registry_free(a->packs);
    throttle_free(a->throttle);
    upload_quota_free(a->upload_quota);
    pthread_mutex_destroy(&a->hash_mu);
    pthread_cond_destroy(&a->hash_cv);
    free(a);
}

void app_set_limits(struct app *a, const struct app_limits *l)
{
    a->max_upload_bytes = l->max_upload_bytes;
    a->quota_stored_bytes = l->quota_stored_bytes;
    a->quota_inflight_bytes = l->quota_inflight_bytes;
    a->uploads_per_user = l->uploads_per_user;
    a->token_days = l->token_days;
    a->token_max_days = l->token_max_days;
}

const char *app_data_dir(const struct app *a) { return a->data_dir; }
uint64_t app_max_upload_bytes(const struct app *a) { return a->max_upload_bytes; }
struct pack_registry *app_packs(const struct app *a) { return a->packs; }
const struct pack *app_default_pack(const struct app *a) { return a->pack; }
bool app_leads(struct app *a, const char *job) { return store_leads(a->store, job); }

int64_t app_page_cache_bytes(struct app *a) { return store_page_cache_bytes(a->store); }

json_t *app_store_counts(struct app *a)
{
    struct store_conn *c = store_reader(a->store);
    json_t *filings = c ? store_filing_counts(c) : NULL;
    if (!filings) return NULL;
    json_t *out = json_object();
    json_object_set_new(out, "filings", filings);
    json_t *standing = store_standing_counts(c), *outbox = store_outbox_counts(c);
    json_object_set_new(out, "standing", standing ? standing : json_object());
    json_object_set_new(out, "outbox", outbox ? outbox : json_object());
    return out;
}

int app_verify_audit(struct app *a, struct err *e) { return store_audit_verify(store_reader(a->store), e); }
