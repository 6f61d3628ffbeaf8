/* auth.c — passwords, sessions, API tokens and login throttling.
 *
 * Secrets are never stored: a token is 32 random bytes shown once; the store keeps its SHA-256.
 * Password hashing is Argon2id (libsodium, interactive limits) and deliberately slow, so at most
 * app->hash_slots hashes run at once and at most app->hash_waiters callers wait for a slot; past
 * that a login is answered 503 at once, so logins can never hold every server thread. Failed logins
 * are counted per account and per client address in a fixed-size table; over the limit within the
 * window the login is refused with 429 before any hashing. */
#include "service/auth.h"
#include "service/app.h"
#include "service/audit.h"
#include "core/sha256.h"
#include "core/workflow.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_SECONDS (12 * 3600)
#define THROTTLE_SLOTS 4096
#define THROTTLE_WINDOW 900
#define MAX_FAILS_ACCOUNT 5
#define MAX_FAILS_ADDRESS 20

struct throttle_slot { uint64_t key; time_t window_start; int fails; };
struct throttle {
    pthread_mutex_t mu;
    struct throttle_slot slots[THROTTLE_SLOTS];
};

struct throttle *throttle_new(void)
{
    struct throttle *t = calloc(1, sizeof *t);
    if (t) pthread_mutex_init(&t->mu, NULL);
    return t;
}

void throttle_free(struct throttle *t)
{
    if (!t) return;
    pthread_mutex_destroy(&t->mu);
    free(t);
}

static uint64_t throttle_key(const char *kind, const char *value)
{
    unsigned char h[crypto_generichash_BYTES_MIN];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind));
    crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
    crypto_generichash_final(&st, h, sizeof h);
    uint64_t k;
    memcpy(&k, h, sizeof k);
    return k ? k : 1;
}

/* Returns the fail count within the window (and counts one more when add). */
static int throttle_touch(struct throttle *t, uint64_t key, bool add, bool reset)
{
    time_t now = time(NULL);
    pthread_mutex_lock(&t->mu);
    struct throttle_slot *s = &t->slots[key % THROTTLE_SLOTS];
    if (s->key != key || now - s->window_start > THROTTLE_WINDOW) {
        if (!add) { pthread_mutex_unlock(&t->mu); return 0; }
        s->key = key;
        s->window_start = now;
        s->fails = 0;
    }
    if (reset) s->fails = 0;
    if (add) s->fails++;
    int fails = s->fails;
    pthread_mutex_unlock(&t->mu);
    return fails;
}

/* Count an attempt before it is checked, in one step with the limit test: concurrent attempts
 * cannot all pass the check before the first failure is counted. False (nothing counted) when the
 * key is already at its limit. */
static bool throttle_reserve(struct throttle *t, uint64_t key, int limit)
{
    time_t now = time(NULL);
    pthread_mutex_lock(&t->mu);
    struct throttle_slot *s = &t->slots[key % THROTTLE_SLOTS];
    if (s->key != key || now - s->window_start > THROTTLE_WINDOW) {
        s->key = key;
        s->window_start = now;
        s->fails = 0;
    }
    bool ok = s->fails < limit;
    if (ok) s->fails++;
    pthread_mutex_unlock(&t->mu);
    return ok;
}

/* Give back an attempt counted by throttle_reserve that turned out not to be a failure. */
static void throttle_release(struct throttle *t, uint64_t key)
{
    pthread_mutex_lock(&t->mu);
    struct throttle_slot *s = &t->slots[key % THROTTLE_SLOTS];
    if (s->key == key && s->fails > 0) s->fails--;
    pthread_mutex_unlock(&t->mu);
}

void principal_operator(struct principal *p)
{
    memset(p, 0, sizeof *p);
    p->roles = ROLE_ADMIN;
    snprintf(p->org_kind, sizeof p->org_kind, "platform");
    snprintf(p->login, sizeof p->login, "operator");
    snprintf(p->name, sizeof p->name, "local operator");
}

bool principal_is_admin(const struct principal *p) { return p && (p->roles & ROLE_ADMIN); }

int auth_password_acceptable(const char *pw, struct err *e)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < 10)
        return err_set(e, ERR_VALIDATION, "/password", "a password needs at least 10 characters",
                       "密码至少需要10个字符");
    if (n > 256)
        return err_set(e, ERR_VALIDATION, "/password", "a password has at most 256 bytes", "密码最长256字节");
    return 0;
}

static int hash_slot_enter(struct app *a, struct err *e)
{
    pthread_mutex_lock(&a->hash_mu);
    if (a->hash_active >= a->hash_slots && a->hash_waiting >= a->hash_waiters) {
        pthread_mutex_unlock(&a->hash_mu);
        return err_set(e, ERR_BUSY, NULL, "too many sign-ins at once, try again in a moment",
                       "同时登录的请求过多，请稍后重试");
    }
    a->hash_waiting++;
    while (a->hash_active >= a->hash_slots) pthread_cond_wait(&a->hash_cv, &a->hash_mu);
    a->hash_waiting--;
    a->hash_active++;
    pthread_mutex_unlock(&a->hash_mu);
    return 0;
}

static void hash_slot_leave(struct app *a)
{
    pthread_mutex_lock(&a->hash_mu);
    a->hash_active--;
    pthread_cond_signal(&a->hash_cv);
    pthread_mutex_unlock(&a->hash_mu);
}

int auth_hash_password(struct app *a, const char *password, char *out, size_t out_len, struct err *e)
{
    if (out_len < crypto_pwhash_STRBYTES) return err_set(e, ERR_INTERNAL, NULL, "hash buffer too small", "缓冲区过小");
    if (hash_slot_enter(a, e) != 0) return -1;
    int rc = crypto_pwhash_str_alg(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                   crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
    hash_slot_leave(a);
    if (rc != 0) return err_set(e, ERR_INTERNAL, NULL, "password hashing failed (out of memory)", "密码哈希失败");
    return 0;
}

static char *new_secret(const char *prefix)
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t n = strlen(prefix) + strlen(b64) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s", prefix, b64);
    sodium_memzero(raw, sizeof raw);
    return s;
}

static void fill_principal(struct principal *p, const json_t *user, const json_t *org)
{
    memset(p, 0, sizeof *p);
    p->user_id = json_integer_value(json_object_get(user, "id"));
    p->org_id = json_integer_value(json_object_get(user, "org_id"));
    snprintf(p->org_kind, sizeof p->org_kind, "%s", json_string_value(json_object_get(org, "kind")));
    p->roles = wf_roles_parse_csv(json_string_value(json_object_get(user, "roles")), NULL, 0);
    snprintf(p->login, sizeof p->login, "%s", json_string_value(json_object_get(user, "login")));
    snprintf(p->name, sizeof p->name, "%s", json_string_value(json_object_get(user, "name")));
}

struct token_job { const char *hash; int64_t user_id; const char *kind, *name, *csrf; int64_t expires; const struct principal *who; };

static int token_insert_job(struct store_conn *c, void *arg, struct err *e)
{
    struct token_job *j = arg;
    if (store_token_insert(c, j->hash, j->user_id, j->kind, j->name, j->csrf, j->expires, e) != 0) return -1;
    json_t *d = j->name ? json_pack("{s:s}", "name", j->name) : NULL;
    int rc = audit_record(c, j->who, strcmp(j->kind, "api") == 0 ? "token.create" : "session.create", "user",
                          j->user_id, 0, j->who->org_id, NULL, NULL, d, e);
    json_decref(d);
    return rc;
}

int auth_login(struct app *a, const char *login, const char *password, const char *client_ip,
               char **token, char *csrf, size_t csrf_len, struct principal *p, struct err *e)
{
    if (!login || !*login || !password)
        return err_set(e, ERR_VALIDATION, "/login", "login and password are required", "请输入登录名和密码");
    if (strlen(login) > 64 || strlen(password) > 256)
        return err_set(e, ERR_UNAUTHENTICATED, NULL, "wrong login or password", "登录名或密码错误");
    uint64_t kacc = throttle_key("account:", login), kaddr = throttle_key("address:", client_ip ? client_ip : "");
    bool acc_ok = throttle_reserve(a->throttle, kacc, MAX_FAILS_ACCOUNT);
    if (!acc_ok || !throttle_reserve(a->throttle, kaddr, MAX_FAILS_ADDRESS)) {
        if (acc_ok) throttle_release(a->throttle, kacc);
        err_extra(e, "retry_after", json_integer(THROTTLE_WINDOW));
        return err_set(e, ERR_TOO_MANY, NULL, "too many failed sign-ins; try again in 15 minutes",
                       "登录失败次数过多，请15分钟后再试");
    }
    struct store_conn *c = store_reader(a->store);
    json_t *user = store_user_by_login(c, login);
    int ok = 0;
    if (hash_slot_enter(a, e) != 0) {
        throttle_release(a->throttle, kacc);
        throttle_release(a->throttle, kaddr);
        json_decref(user);
        return -1;
    }
    if (user && !json_integer_value(json_object_get(user, "disabled")))
        ok = crypto_pwhash_str_verify(json_string_value(json_object_get(user, "pw_hash")), password,
                                      strlen(password)) == 0;
    else /* spend the same effort for an unknown login, so timing does not tell which logins exist */
    {
        char dummy[crypto_pwhash_STRBYTES] = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                             "4Ta2ny3tHTvmIv5lTTIvYS2t0m5Sx9TK5cM9l0rVwvE";
        if (crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0) ok = 0;
    }
    hash_slot_leave(a);
    if (!ok) { /* the failure was counted by throttle_reserve */
        json_decref(user);
        return err_set(e, ERR_UNAUTHENTICATED, NULL, "wrong login or password", "登录名或密码错误");
    }
    throttle_touch(a->throttle, kacc, false, true);
    throttle_release(a->throttle, kaddr);
    json_t *org = store_org_get(c, json_integer_value(json_object_get(user, "org_id")));
    fill_principal(p, user, org);
    json_decref(user);
    json_decref(org);

    char *secret = new_secret("bs_");
    unsigned char raw[24];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(csrf, csrf_len, raw, sizeof raw);
    sha256_hex(secret, strlen(secret), p->token_hash);
    snprintf(p->token_kind, sizeof p->token_kind, "session");
    snprintf(p->csrf, sizeof p->csrf, "%s", csrf);
    struct token_job j = {p->token_hash, p->user_id, "session", NULL, csrf, (int64_t)time(NULL) + SESSION_SECONDS, p};
    if (store_write(a->store, token_insert_job, &j, e) != 0) { free(secret); return -1; }
    *token = secret;
    return 0;
}

int auth_resolve(struct app *a, const char *token, struct principal *p, struct err *e)
{
    if (!token || strlen(token) < 10 || strlen(token) > 200)
        return err_set(e, ERR_UNAUTHENTICATED, NULL, "sign in first", "请先登录");
    char hash[65];
    sha256_hex(token, strlen(token), hash);
    json_t *t = store_token_principal(store_reader(a->store), hash);
    if (!t || json_integer_value(json_object_get(t, "revoked")) ||
        json_integer_value(json_object_get(t, "expires_at")) < (json_int_t)time(NULL)) {
        json_decref(t);
        return err_set(e, ERR_UNAUTHENTICATED, NULL, "your session has ended; sign in again", "会话已失效，请重新登录");
    }
    if (json_integer_value(json_object_get(t, "disabled"))) {
        json_decref(t);
        return err_set(e, ERR_UNAUTHENTICATED, NULL, "this account is disabled", "该账户已停用");
    }
    memset(p, 0, sizeof *p);
    p->user_id = json_integer_value(json_object_get(t, "user_id"));
    p->org_id = json_integer_value(json_object_get(t, "org_id"));
    snprintf(p->org_kind, sizeof p->org_kind, "%s", json_string_value(json_object_get(t, "org_kind")));
    p->roles = wf_roles_parse_csv(json_string_value(json_object_get(t, "roles")), NULL, 0);
    snprintf(p->login, sizeof p->login, "%s", json_string_value(json_object_get(t, "login")));
    snprintf(p->name, sizeof p->name, "%s", json_string_value(json_object_get(t, "name")));
    snprintf(p->token_hash, sizeof p->token_hash, "%s", hash);
    snprintf(p->token_kind, sizeof p->token_kind, "%s", json_string_value(json_object_get(t, "kind")));
    const char *csrf = json_string_value(json_object_get(t, "csrf"));
    snprintf(p->csrf, sizeof p->csrf, "%s", csrf ? csrf : "");
    json_decref(t);
    return 0;
}

static int token_revoke_job(struct store_conn *c, void *arg, struct err *e)
{
    const struct principal *p = arg;
    if (store_token_revoke(c, p->token_hash, e) != 0) return -1;
    return audit_record(c, p, strcmp(p->token_kind, "api") == 0 ? "token.revoke" : "session.delete", "user",
                        p->user_id, 0, p->org_id, NULL, NULL, NULL, e);
}

int auth_logout(struct app *a, const struct principal *p, struct err *e)
{
    return store_write(a->store, token_revoke_job, (void *)p, e);
}

int auth_token_create(struct app *a, const struct principal *p, const char *name, int days,
                      char **token, struct err *e)
{
    if (!name || !*name || strlen(name) > 100)
        return err_set(e, ERR_VALIDATION, "/name", "a token needs a name of 1 to 100 characters",
                       "令牌名称需为1至100个字符");
    if (days <= 0 || days > 3650) days = 365;
    char *secret = new_secret("bt_");
    char hash[65];
    sha256_hex(secret, strlen(secret), hash);
    struct token_job j = {hash, p->user_id, "api", name, NULL, (int64_t)time(NULL) + (int64_t)days * 86400, p};
    if (store_write(a->store, token_insert_job, &j, e) != 0) { free(secret); return -1; }
    *token = secret;
    return 0;
}
