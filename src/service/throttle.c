/* throttle.c — see throttle.h. One mutex-guarded open-addressing table of 65,536 entries (about
 * 1.5 MiB). An entry is free when empty or forgotten (an hour quiet after its last delay). A new key
 * probes at most 32 slots from its hash; when all are in use it takes the one with the fewest
 * failures, so a flood of new keys displaces the least-punished counters first, and since the keys
 * are hashed under a secret the flood cannot aim at one slot. */
#include "service/throttle.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS (1u << 16)
#define PROBE 32

struct entry { uint64_t key; int64_t last, until; int fails; };

struct throttle {
    pthread_mutex_t mu;
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    struct entry slots[SLOTS];
};

struct throttle *throttle_new(void)
{
    if (sodium_init() < 0) return NULL;
    struct throttle *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    pthread_mutex_init(&t->mu, NULL);
    crypto_shorthash_keygen(t->hash_key);
    return t;
}

void throttle_free(struct throttle *t)
{
    if (!t) return;
    pthread_mutex_destroy(&t->mu);
    sodium_memzero(t->hash_key, sizeof t->hash_key);
    free(t);
}

uint64_t throttle_key(struct throttle *t, const char *kind, const char *a, const char *b)
{
    /* length-prefixed parts, so ("ab","c") and ("a","bc") differ */
    unsigned char buf[1024];
    size_t n = 0;
    const char *parts[3] = {kind, a ? a : "", b ? b : ""};
    for (int i = 0; i < 3; i++) {
        size_t len = strlen(parts[i]);
        if (len > 300) len = 300;
        uint32_t l32 = (uint32_t)len;
        memcpy(buf + n, &l32, sizeof l32);
        n += sizeof l32;
        memcpy(buf + n, parts[i], len);
        n += len;
    }
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, buf, n, t->hash_key);
    uint64_t k;
    memcpy(&k, out, sizeof k);
    return k ? k : 1;
}

static bool stale(const struct entry *s, int64_t now)
{
    int64_t quiet_from = s->until > s->last ? s->until : s->last;
    return s->key == 0 || now >= quiet_from + THROTTLE_FORGET;
}

/* The entry of key; when absent and create, a fresh one (else NULL). Caller holds the mutex. */
static struct entry *find(struct throttle *t, uint64_t key, bool create, int64_t now)
{
    struct entry *free_slot = NULL, *weakest = NULL;
    for (unsigned i = 0; i < PROBE; i++) {
        struct entry *s = &t->slots[(key + i) & (SLOTS - 1)];
        if (s->key == key) {
            if (!stale(s, now)) return s;
            memset(s, 0, sizeof *s);
        }
        if (stale(s, now)) { if (!free_slot) free_slot = s; }
        else if (!weakest || s->fails < weakest->fails || (s->fails == weakest->fails && s->last < weakest->last))
            weakest = s;
    }
    if (!create) return NULL;
    /* a key further along the probe window may still hold this key: it was found above if so */
    struct entry *s = free_slot ? free_slot : weakest;
    memset(s, 0, sizeof *s);
    s->key = key;
    return s;
}

static int64_t delay_after(int fails, int free_fails)
{
    if (fails < free_fails) return 0;
    int64_t d = THROTTLE_BASE_DELAY;
    for (int i = free_fails; i < fails && d < THROTTLE_MAX_DELAY; i++) d *= 2;
    return d > THROTTLE_MAX_DELAY ? THROTTLE_MAX_DELAY : d;
}

int64_t throttle_wait(struct throttle *t, uint64_t key, int64_t now)
{
    pthread_mutex_lock(&t->mu);
    struct entry *s = find(t, key, false, now);
    int64_t w = s && s->until > now ? s->until - now : 0;
    pthread_mutex_unlock(&t->mu);
    return w;
}

int64_t throttle_reserve(struct throttle *t, uint64_t key, int free_fails, bool force, int64_t now)
{
    pthread_mutex_lock(&t->mu);
    struct entry *s = find(t, key, true, now);
    if (!force && s->until > now) {
        int64_t w = s->until - now;
        pthread_mutex_unlock(&t->mu);
        return w;
    }
    s->fails++;
    s->last = now;
    int64_t d = delay_after(s->fails, free_fails);
    if (d && now + d > s->until) s->until = now + d;
    pthread_mutex_unlock(&t->mu);
    return 0;
}

void throttle_release(struct throttle *t, uint64_t key)
{
    pthread_mutex_lock(&t->mu);
    for (unsigned i = 0; i < PROBE; i++) {
        struct entry *s = &t->slots[(key + i) & (SLOTS - 1)];
        if (s->key == key) {
            if (s->fails > 0) s->fails--;
            break;
        }
    }
    pthread_mutex_unlock(&t->mu);
}

void throttle_forget(struct throttle *t, uint64_t key)
{
    pthread_mutex_lock(&t->mu);
    for (unsigned i = 0; i < PROBE; i++) {
        struct entry *s = &t->slots[(key + i) & (SLOTS - 1)];
        if (s->key == key) memset(s, 0, sizeof *s);
    }
    pthread_mutex_unlock(&t->mu);
}

int throttle_fails(struct throttle *t, uint64_t key, int64_t now)
{
    pthread_mutex_lock(&t->mu);
    struct entry *s = find(t, key, false, now);
    int n = s ? s->fails : 0;
    pthread_mutex_unlock(&t->mu);
    return n;
}
