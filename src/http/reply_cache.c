/* reply_cache.c — recent GET replies per thread while nothing they depend on changed (reply_cache.h). */
#include "http/reply_cache.h"
#include "core/clock.h"
#include "core/date.h"
#include "service/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reply_cache_slot {
    struct reply_cache_key key;
    char etag[96];
    char *body;
    size_t len;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    struct reply_cache_slot *slots = p;
    for (int i = 0; i < REPLY_CACHE_SLOTS; i++) free(slots[i].body);
    free(slots);
}

static void cache_key_create(void) { pthread_key_create(&cache_key, cache_free); }

static struct reply_cache_slot *slot_for(const struct reply_cache_key *k)
{
    pthread_once(&cache_once, cache_key_create);
    struct reply_cache_slot *slots = pthread_getspecific(cache_key);
    if (!slots) {
        if (!(slots = calloc(REPLY_CACHE_SLOTS, sizeof *slots))) return NULL;
        pthread_setspecific(cache_key, slots);
    }
    uint64_t h = (uint64_t)k->id * 0x9E3779B97F4A7C15u ^ (uint64_t)k->user_id * 0xC2B2AE3D27D4EB4Fu;
    return &slots[(h >> 32) % REPLY_CACHE_SLOTS];
}

static bool same_key(const struct reply_cache_key *a, const struct reply_cache_key *b)
{
    return strcmp(a->kind, b->kind) == 0 && a->id == b->id && a->user_id == b->user_id && a->org_id == b->org_id &&
           a->roles == b->roles && a->day == b->day && a->generation[0] == b->generation[0] &&
           a->generation[1] == b->generation[1];
}

bool reply_cache_key_make(struct reply_cache_key *k, const char *kind, int64_t id, const struct principal *who,
                          const uint64_t generation[2])
{
    if (!who || !generation) return false;
    *k = (struct reply_cache_key){.kind = kind, .id = id, .user_id = who->user_id, .org_id = who->org_id,
                                  .roles = who->roles, .day = date_from_unix(clock_now()),
                                  .generation = {generation[0], generation[1]}};
    return true;
}

bool reply_cache_get(const struct reply_cache_key *k, const char **body, size_t *len, const char **etag)
{
    struct reply_cache_slot *s = slot_for(k);
    if (!s || !s->body || !same_key(&s->key, k)) return false;
    *body = s->body;
    *len = s->len;
    *etag = s->etag;
    return true;
}

void reply_cache_put(const struct reply_cache_key *k, const char *body, size_t len, const char *etag)
{
    struct reply_cache_slot *s = slot_for(k);
    if (!s || !body || !etag || len > REPLY_CACHE_MAX || strlen(etag) >= sizeof s->etag) return;
    char *copy = malloc(len ? len : 1);
    if (!copy) return;
    memcpy(copy, body, len);
    free(s->body);
    s->body = copy;
    s->len = len;
    s->key = *k;
    snprintf(s->etag, sizeof s->etag, "%s", etag);
}
