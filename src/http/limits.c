/* limits.c — per-address limits of the HTTP server (see net.h): connections held at once, and
 * token buckets for endpoints anyone may call (the public verification of a filing number).
 * Both tables are fixed-size and indexed by a keyed hash (SipHash, libsodium's crypto_shorthash,
 * with a key drawn at start), so a flood of addresses costs no memory and cannot be aimed. */
#include "http/net.h"

#include <pthread.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t keyed_hash(const unsigned char key[crypto_shorthash_KEYBYTES], const void *data, size_t len)
{
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, data, len, key);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    return h;
}

/* What an address counts as: itself for IPv4, its /64 for IPv6 — one subscriber usually holds a
 * whole /64 and could otherwise take a fresh address for every connection or request. */
static void address_key(const struct net_addr *a, unsigned char key[17])
{
    memset(key, 0, 17);
    key[0] = (unsigned char)a->family;
    memcpy(key + 1, a->bytes, a->family == AF_INET6 ? 8 : 4);
}

/* ---- connections held ------------------------------------------------------------------- */

struct net_conn_table {
    unsigned limit;
    unsigned char key[crypto_shorthash_KEYBYTES];
    _Atomic unsigned count[NET_CONN_SLOTS];
};

struct net_conn_table *net_conn_table_new(unsigned limit)
{
    struct net_conn_table *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->limit = limit;
    randombytes_buf(t->key, sizeof t->key);
    return t;
}

void net_conn_table_free(struct net_conn_table *t) { free(t); }

static size_t conn_slot(const struct net_conn_table *t, const struct net_addr *a)
{
    unsigned char buf[17];
    address_key(a, buf);
    return (size_t)(keyed_hash(t->key, buf, sizeof buf) % NET_CONN_SLOTS);
}

bool net_conn_admit(struct net_conn_table *t, const struct net_addr *a)
{
    return atomic_load_explicit(&t->count[conn_slot(t, a)], memory_order_relaxed) < t->limit;
}

bool net_conn_hold(struct net_conn_table *t, const struct net_addr *a, size_t *slot)
{
    *slot = conn_slot(t, a);
    return atomic_fetch_add_explicit(&t->count[*slot], 1, memory_order_relaxed) < t->limit;
}

void net_conn_release(struct net_conn_table *t, size_t slot)
{
    if (slot < NET_CONN_SLOTS) atomic_fetch_sub_explicit(&t->count[slot], 1, memory_order_relaxed);
}

/* ---- token buckets ---------------------------------------------------------------------- */

struct bucket {
    uint64_t tag;        /* the full hash of the address owning the slot; 0: free */
    double tokens;
    int64_t updated_ms;  /* CLOCK_MONOTONIC */
};

struct net_buckets {
    unsigned per_minute;
    unsigned char key[crypto_shorthash_KEYBYTES];
    pthread_mutex_t mu;
    struct bucket slot[NET_BUCKET_SLOTS];
};

struct net_buckets *net_buckets_new(unsigned per_minute)
{
    struct net_buckets *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->per_minute = per_minute ? per_minute : 1;
    randombytes_buf(b->key, sizeof b->key);
    pthread_mutex_init(&b->mu, NULL);
    return b;
}

void net_buckets_free(struct net_buckets *b)
{
    if (!b) return;
    pthread_mutex_destroy(&b->mu);
    free(b);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool net_buckets_take(struct net_buckets *b, const struct net_addr *a, unsigned *retry_after_s)
{
    unsigned char key[17];
    address_key(a, key);
    uint64_t h = keyed_hash(b->key, key, sizeof key) | 1;   /* never 0: 0 marks a free slot */
    double capacity = b->per_minute, per_ms = b->per_minute / 60000.0;
    int64_t now = now_ms();
    bool allowed;
    pthread_mutex_lock(&b->mu);
    struct bucket *s = &b->slot[h % NET_BUCKET_SLOTS];
    if (s->tag != h) {
        s->tag = h;
        s->tokens = capacity;
        s->updated_ms = now;
    }
    s->tokens += (double)(now - s->updated_ms) * per_ms;
    if (s->tokens > capacity) s->tokens = capacity;
    s->updated_ms = now;
    allowed = s->tokens >= 1.0;
    if (allowed) s->tokens -= 1.0;
    else if (retry_after_s) {   /* whole seconds until one token, rounded up */
        double ms = (1.0 - s->tokens) / per_ms;
        unsigned secs = (unsigned)((ms + 999.0) / 1000.0);
        *retry_after_s = secs ? secs : 1;
    }
    pthread_mutex_unlock(&b->mu);
    return allowed;
}
