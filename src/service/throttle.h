/* throttle.h — counters of failed attempts with growing delays, for sign-in and password change.
 *
 * A key is a keyed hash (crypto_shorthash, a random key per process) of what is counted — an
 * account and address pair, a device cookie, an account's strangers, a user changing its password —
 * so nobody can choose a name whose counter lands on another's. The first `free` failures of a key
 * cost nothing; from then on each attempt must wait a delay that doubles with every further failure
 * (15 s, 30 s, 60 s … at most an hour). A key forgets its failures an hour after its last delay
 * ended. Counting happens before the attempt is checked (throttle_reserve), so parallel attempts
 * cannot all pass before the first failure is counted. */
#ifndef BEIAN_THROTTLE_H
#define BEIAN_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#define THROTTLE_BASE_DELAY 15
#define THROTTLE_MAX_DELAY 3600
#define THROTTLE_FORGET 3600

struct throttle;

struct throttle *throttle_new(void);
void throttle_free(struct throttle *t);

/* The key of (kind, a, b) under this process's secret hash key; b may be NULL. */
uint64_t throttle_key(struct throttle *t, const char *kind, const char *a, const char *b);
/* Seconds the key must still wait (0: an attempt may go ahead), without counting anything. */
int64_t throttle_wait(struct throttle *t, uint64_t key, int64_t now);
/* Count one attempt as failed unless the key must wait: returns 0 when counted (the attempt may
 * go ahead), else the seconds left to wait (nothing counted). With force, counts in any case and
 * returns 0. */
int64_t throttle_reserve(struct throttle *t, uint64_t key, int free_fails, bool force, int64_t now);
/* Give back an attempt counted by throttle_reserve that was not a failure. */
void throttle_release(struct throttle *t, uint64_t key);
/* Forget a key (after a success). */
void throttle_forget(struct throttle *t, uint64_t key);
/* The failures counted for a key (tests and metrics). */
int throttle_fails(struct throttle *t, uint64_t key, int64_t now);

#endif
