/* app.h — the application context every use case runs in: the store, the policy pack, and the
 * limits the service enforces (login hashing slots, throttles). One per process. */
#ifndef BEIAN_APP_H
#define BEIAN_APP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "store/store.h"
#include "policy/pack.h"
#include "policy/registry.h"

struct throttle;
struct upload_quota;

struct app {
    struct store *store;
    struct pack_registry *packs;  /* every installed version of every pack */
    const struct pack *pack;      /* the default pack (cn-cloud) in force when the app opened */
    char data_dir[4096];
    /* Argon2id is slow by design: at most `hash_slots` run at once, at most `hash_waiters` wait. */
    pthread_mutex_t hash_mu;
    pthread_cond_t hash_cv;
    int hash_active, hash_waiting, hash_slots, hash_waiters;
    struct throttle *throttle;
    uint64_t max_upload_bytes;   /* material uploads; 0: the default (50 MiB) */
    /* Per organisation and user (service/quota.h); 0: the defaults (2 GiB, 200 MiB, 4). */
    uint64_t quota_stored_bytes, quota_inflight_bytes;
    unsigned uploads_per_user;
    struct upload_quota *upload_quota;   /* the reservations of uploads in progress */
    /* sign-in and tokens (issue 12): the key that signs device cookies (auth_serve_init loads it
     * from <data>/device-cookie.key; without it no device cookie is issued or trusted), and how
     * long API tokens live (0: the defaults, 90 and 365 days) */
    unsigned char device_key[32];
    bool device_key_ready;
    int token_days, token_max_days;
};

/* Open the data directory's store and the policy pack (dir from BEIAN_POLICY_DIR, else the
 * built-in default). */
int app_open(struct app *a, const char *data_dir, bool create, struct err *e);
void app_close(struct app *a);
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
