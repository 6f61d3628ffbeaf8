/* reply_cache.h — the replies of one thread's recent GETs of a thing, kept to be sent again while
 * nothing they were made of can have changed: the same thing, the same caller (user, organisation,
 * roles: what the visibility check and the offered actions judge), the same day (due dates,
 * objection windows), and the same database generation (app_read_generation: no commit anywhere
 * since). A hit skips reading and viewing the thing and writing its reply; the caller's token is
 * still checked on every request before the cache is asked. Bounded: REPLY_CACHE_SLOTS replies of
 * at most REPLY_CACHE_MAX bytes per thread, freed when the thread ends. */
#ifndef BEIAN_REPLY_CACHE_H
#define BEIAN_REPLY_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPLY_CACHE_SLOTS 16
#define REPLY_CACHE_MAX ((size_t)256 * 1024)

struct principal;

struct reply_cache_key {
    const char *kind;        /* a string literal naming the kind of thing ("filing") */
    int64_t id;
    int64_t user_id, org_id;
    unsigned roles;
    int32_t day;
    uint64_t generation[2];
};

/* The key of thing id for caller who now; false when nothing may be cached (no generation). */
bool reply_cache_key_make(struct reply_cache_key *k, const char *kind, int64_t id, const struct principal *who,
                          const uint64_t generation[2]);

/* The kept reply (body and the thing's own ETag), borrowed until this thread's next call; false
 * when there is none for k. */
bool reply_cache_get(const struct reply_cache_key *k, const char **body, size_t *len, const char **etag);

/* Keep a copy of a 200 reply (body, the handler's ETag) under k (silently not, when too large or
 * out of memory). */
void reply_cache_put(const struct reply_cache_key *k, const char *body, size_t len, const char *etag);

#endif
