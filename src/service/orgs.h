/* orgs.h — organisations (enterprise, provider, authority, platform) and their users. */
#ifndef BEIAN_ORGS_H
#define BEIAN_ORGS_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/err.h"

struct app;
struct principal;

/* Create an organisation from {"kind","name","uscc","region","jurisdiction":[codes]}.
 * Only the platform admin (or the local operator) may. Returns the new id or -1. */
int64_t org_create(struct app *a, const struct principal *who, const json_t *in, struct err *e);
/* Organisations the caller may see (admin: all; others: their own and, for everyone, providers
 * and authorities, whose names are public in the filing form). */
/* A USCC the registry takes: a valid GB 32100 code, or — as_on_licence true — one whose only
 * fault is its check character. 0, or -1 with e at /uscc. */
int org_uscc_acceptable(const char *uscc, const json_t *as_on_licence, struct err *e);
/* Correct an organisation's record {"name","uscc","region","uscc_as_on_licence"} (any subset): the
 * platform administrator only, audited with the values before and after. Lists and the public
 * record follow at once; drafts that still carry the old name or code get a RECORD-SUBJECT finding
 * on their next save. Returns the organisation as org_get does. (org_records.c) */
json_t *org_update(struct app *a, const struct principal *who, int64_t id, const json_t *in, struct err *e);
json_t *org_list(struct app *a, const struct principal *who, const char *kind);
json_t *org_get(struct app *a, const struct principal *who, int64_t id, struct err *e);

/* Create a user {"org_id","login","name","roles":[…],"password"}: admin anywhere; org_admin and
 * authority_admin in their own organisation. Returns the id or -1. */
int64_t user_create(struct app *a, const struct principal *who, const json_t *in, struct err *e);
json_t *user_list(struct app *a, const struct principal *who, int64_t org_id, struct err *e);
/* Set a password: the user itself (proving the old password, throttled per user with growing delays),
 * or the operator. The new one must be strong (auth_password_acceptable) and differ from the current
 * one. Every session of the user ends; with revoke_tokens its API tokens too. */
int user_set_password(struct app *a, const struct principal *who, const char *login,
                      const char *old_password, const char *new_password, bool revoke_tokens, struct err *e);
/* The caller as JSON (/me). */
json_t *user_me(struct app *a, const struct principal *who);

#endif
