/* app.c — opens and closes the application context (store + policy pack + limits). */
#include "service/app.h"
#include "service/auth.h"
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *app_policy_root(void)
{
    const char *env = getenv("BEIAN_POLICY_DIR");
    return env && *env ? env : BEIAN_DEFAULT_POLICY_DIR;
}

int app_open(struct app *a, const char *data_dir, bool create, struct err *e)
{
    memset(a, 0, sizeof *a);
    if (sodium_init() < 0) return err_set(e, ERR_INTERNAL, NULL, "libsodium failed to start", "libsodium 初始化失败");
    snprintf(a->data_dir, sizeof a->data_dir, "%s", data_dir);
    char pack_dir[4200];
    snprintf(pack_dir, sizeof pack_dir, "%s/cn-cloud", app_policy_root());
    if (pack_load(pack_dir, &a->pack, e) != 0) return -1;
    if (store_open(data_dir, create, &a->store, e) != 0) {
        pack_free(a->pack);
        a->pack = NULL;
        return -1;
    }
    pthread_mutex_init(&a->hash_mu, NULL);
    pthread_cond_init(&a->hash_cv, NULL);
    a->hash_slots = 2;
    a->hash_waiters = 8;
    a->throttle = throttle_new();
    return 0;
}

void app_close(struct app *a)
{
    store_close(a->store);
    pack_free(a->pack);
    throttle_free(a->throttle);
    pthread_mutex_destroy(&a->hash_mu);
    pthread_cond_destroy(&a->hash_cv);
    memset(a, 0, sizeof *a);
}
