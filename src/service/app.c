/* app.c — opens and closes the application context (store + policy pack + limits). */
#include "service/app.h"
#include "service/filing_traces.h"
#include "core/clock.h"
#include "service/policy_jobs.h"
#include "service/auth.h"
#include "service/quota.h"
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

int app_open(struct app *a, const char *data_dir, bool create, struct err *e)
{
    memset(a, 0, sizeof *a);
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
    if (store_open(data_dir, getenv("BEIAN_STORE"), create, &a->store, e) != 0) {
        registry_free(a->packs);
        a->packs = NULL;
        a->pack = NULL;
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

void app_close(struct app *a)
{
    policy_jobs_stop(); /* the install worker uses the store and the packs */
    store_close(a->store);
    filing_traces_clear(); /* they hold the packs' programs */
    registry_free(a->packs);
    throttle_free(a->throttle);
    upload_quota_free(a->upload_quota);
    pthread_mutex_destroy(&a->hash_mu);
    pthread_cond_destroy(&a->hash_cv);
    memset(a, 0, sizeof *a);
}
