/* quota.h — how much of the disk one organisation may take (issue 12): bytes its materials store,
 * bytes its uploads in progress reserve, and uploads in progress per user.
 *
 * An upload reserves its declared size (no Content-Length: the upload limit, the most it may
 * grow to) before its temporary file exists, and gives the reservation back when it ends in
 * any way — stored, refused, failed, cut off, timed out. The reservations live in memory (one
 * server per data directory); the stored bytes are the store's (distinct contents of the
 * organisation's material versions), checked before the body and again in the write job. */
#ifndef BEIAN_QUOTA_H
#define BEIAN_QUOTA_H

#include <stdbool.h>
#include <stdint.h>
#include "core/err.h"

struct app;
struct principal;
struct store_conn;

#define QUOTA_DEFAULT_STORED_BYTES ((uint64_t)2 << 30)      /* 2 GiB stored per organisation */
#define QUOTA_DEFAULT_INFLIGHT_BYTES ((uint64_t)200 << 20)  /* 200 MiB in flight per organisation */
#define QUOTA_DEFAULT_UPLOADS_PER_USER 4u

/* The reservations of all uploads in progress (one per app). */
struct upload_quota;
struct upload_quota *upload_quota_new(void);
void upload_quota_free(struct upload_quota *q);

/* One upload's reservation; held while it counts. Zero-initialised: nothing held. */
struct quota_ticket {
    int64_t org_id, user_id;
    uint64_t bytes;
    bool held;
};

/* The quotas in force (the app's settings, else the defaults above). */
uint64_t quota_stored_bytes(const struct app *a);
uint64_t quota_inflight_bytes(const struct app *a);
unsigned quota_uploads_per_user(const struct app *a);

/* Before the body of an upload by who that declares `declared` bytes (0: unknown) and reserves
 * `reserve` in flight: 507 (ERR_STORAGE_FULL) when the organisation's stored bytes plus declared
 * exceed its stored quota (a body of unknown length is checked once it is there); 429 (ERR_TOO_MANY) when the
 * user already has quota_uploads_per_user uploads in progress, or the organisation's uploads in
 * progress plus reserve exceed its quota in flight. Else reserves and fills t. Messages carry the
 * quota and the current use; the problem document gets them as members too. */
int quota_upload_enter(struct app *a, const struct principal *who, uint64_t declared, uint64_t reserve,
                       struct quota_ticket *t, struct err *e);
/* Give the reservation back (nothing when t holds none); idempotent. */
void quota_upload_leave(struct app *a, struct quota_ticket *t);

/* 507 when storing `adding` more bytes would take org_id past its stored quota (read through c,
 * so inside a write job it sees what the job sees). */
int quota_stored_check(struct app *a, struct store_conn *c, int64_t org_id, uint64_t adding, struct err *e);

#endif
