/* auth.h — who is calling: passwords (Argon2id), sessions, API tokens, login throttling. */
#ifndef BEIAN_AUTH_H
#define BEIAN_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "core/err.h"

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
/* Password rules: 10..256 bytes of valid UTF-8. */
int auth_password_acceptable(const char *password, struct err *e);

/* Log in: checks throttles (per account and per address), verifies the password, creates a
 * session token. On success *token (caller frees) and csrf are set and *p describes the user. */
int auth_login(struct app *a, const char *login, const char *password, const char *client_ip,
               char **token, char *csrf, size_t csrf_len, struct principal *p, struct err *e);
/* Resolve a bearer token or session cookie value. -1 with ERR_UNAUTHENTICATED when invalid. */
int auth_resolve(struct app *a, const char *token, struct principal *p, struct err *e);
/* End the session/token the principal came with. */
int auth_logout(struct app *a, const struct principal *p, struct err *e);
/* Create a named API token for the caller; *token gets the secret (shown once). */
int auth_token_create(struct app *a, const struct principal *p, const char *name, int days,
                      char **token, struct err *e);

/* Throttle table (per key), used by auth_login. */
struct throttle *throttle_new(void);
void throttle_free(struct throttle *t);

#endif
