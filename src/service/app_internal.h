/* app_internal.h — the fields of the application context (service/app.h), for src/service
 * only: http/ and cli/ see struct app as opaque. */
#ifndef BEIAN_APP_INTERNAL_H
#define BEIAN_APP_INTERNAL_H

#include <pthread.h>
#include "service/app.h"
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
    /* sign-in and tokens (issue 12): the key that signs device cookies (auth_serve_init loads it,
     * store/keys.h; without it no device cookie is issued or trusted), and how
     * long API tokens live (0: the defaults, 90 and 365 days) */
    unsigned char device_key[32];
    bool device_key_ready;
    int token_days, token_max_days;
};

#endif
