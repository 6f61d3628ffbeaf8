/* auth.h — who is calling: passwords (Argon2id), sessions, API tokens, login throttling. */
#ifndef BEIAN_AUTH_H
#define BEIAN_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/err.h"
#include "service/throttle.h"

struct app;

/* The authenticated caller. user_id 0 is the local operator (CLI with access to the data dir). */
struct principal {
    int64_t user_id;
    int64_t org_id;
    char org_kind[16];
    unsigned roles;          /* wf_role bits */
    char login[64];
    char name[256];
    char token_hash[65];     /* the token that authenticated this request */
    char token_kind[8];      /* "session" or "api" */
    char csrf[64];           /* for cookie sessions */
};

/* The local operator: all-powerful, used by the CLI. */
void principal_operator(struct principal *p);
bool principal_is_admin(const struct principal *p);

/* Hash a password with Argon2id (bounded concurrency); out gets the encoded hash. */
int auth_hash_password(struct app *a, const char *password, char *out, size_t out_len, struct err *e);
/* Password rules: 10..256 bytes, and strong by cracklib's measure: not built on a dictionary word,
 * not too simple, and not containing the login or the user's name (login and name may be NULL). */
int auth_password_acceptable(const char *password, const char *login, const char *name, struct err *e);

/* The longest device cookie value, with its terminating NUL. */
#define AUTH_DEVICE_COOKIE_MAX 160
/* Sign-in set-up for `serve`: loads (or first creates) the key that signs device cookies
 * (store/keys.h: <data>/device-cookie.key, on PostgreSQL the deployment's, one for every node). Without it sign-in works but issues and trusts no device cookie. */
int auth_serve_init(struct app *a, struct err *e);

/* Log in: verifies the password and creates a session token, within the throttles: failures count
 * per account and client address pair, with growing delays; a login that presents a device cookie
 * this server issued to that account (device_cookie, may be NULL) counts on that cookie alone, so
 * strangers' failures never hold it back. On success *token (caller frees) and csrf are set, *p
 * describes the user and device_out (AUTH_DEVICE_COOKIE_MAX bytes) gets a fresh device cookie value
 * ("" when none can be made). A 429 carries retry_after (seconds) in the error's extra members. */
int auth_login(struct app *a, const char *login, const char *password, const char *client_ip,
               const char *device_cookie, char **token, char *csrf, size_t csrf_len, struct principal *p,
               char *device_out, struct err *e);
/* Resolve a bearer token or session cookie value. -1 with ERR_UNAUTHENTICATED when invalid. */
int auth_resolve(struct app *a, const char *token, struct principal *p, struct err *e);
/* End the session/token the principal came with. */
int auth_logout(struct app *a, const struct principal *p, struct err *e);
/* Create a named API token for the caller, who must have signed in with a password (a request made
 * with an API token cannot mint another: 403). days 0 takes the default (90, or `serve
 * --token-days`); more than the maximum (365, or `serve --token-max-days`) is a 422. *token gets the
 * secret (shown once); out (may be NULL) gets {id, name, created_at, expires_at}. */
int auth_token_create(struct app *a, const struct principal *p, const char *name, int days,
                      char **token, json_t **out, struct err *e);
/* The API tokens still alive (neither revoked nor expired) of the caller, or with org true of every
 * member of the caller's organisation (org_admin only: 403 otherwise). Never a secret or a hash. */
json_t *auth_token_list(struct app *a, const struct principal *p, bool org, struct err *e);
/* Revoke an API token by its id: one's own, or (org_admin) one of a member of one's organisation.
 * Any other id is a 404. */
int auth_token_revoke(struct app *a, const struct principal *p, const char *id, struct err *e);
/* Check a password change against its throttle (per user, growing delays) and count it; call
 * auth_password_change_done with whether the old password was right. */
int auth_password_change_begin(struct app *a, const struct principal *p, struct err *e);
void auth_password_change_done(struct app *a, const struct principal *p, bool old_password_right);

#endif
