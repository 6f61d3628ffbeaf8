/* auth.c — passwords, sessions, API tokens, device cookies and sign-in throttling.
 *
 * Secrets are never stored: a token is 32 random bytes shown once; the store keeps its SHA-256 and,
 * for an API token, a random public id by which its owner lists and revokes it. Password hashing is
 * Argon2id (libsodium, interactive limits) and deliberately slow, so at most app->hash_slots hashes
 * run at once and at most app->hash_waiters callers wait for a slot; past that a login is answered
 * 503 at once, so logins can never hold every server thread.
 *
 * Throttling (issue 12) must never refuse the right password because of somebody else's failures.
 * Failed sign-ins count per account and client address pair (5 free, then growing delays), so an
 * attacker elsewhere slows only itself. Behind a reverse proxy every client shares one address, so
 * a successful sign-in also sets a device cookie (OWASP "device cookies"): signed with a key kept
 * beside the data, bound to the login, valid a year. A sign-in that presents it counts failures on
 * the cookie alone and ignores every other counter. Strangers (no device cookie) of one account are
 * also counted together, with 50 free failures, to slow a guess spread over many addresses. */
#include "service/auth.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "core/sha256.h"
#include "core/workflow.h"
#include "service/clock.h"
#include "store/keys.h"

#include <crack.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_SECONDS (12 * 3600)
#define FREE_FAILS_PAIR 5        /* per account and address pair, before delays start */
#define FREE_FAILS_DEVICE 5      /* per device cookie */
#define FREE_FAILS_STRANGERS 50  /* per account, over every address without a device cookie */
#define FREE_FAILS_PASSWD 5      /* per user changing its password */
#define DEVICE_COOKIE_DAYS 365
#define TOKEN_DEFAULT_DAYS 90
#define TOKEN_MAX_DAYS 365

void principal_operator(struct principal *p)
{
    memset(p, 0, sizeof *p);
    p->roles = ROLE_ADMIN;
    snprintf(p->org_kind, sizeof p->org_kind, "platform");
    snprintf(p->login, sizeof p->login, "operator");
    snprintf(p->name, sizeof p->name, "local operator");
}

bool principal_is_admin(const struct principal *p) { return p && (p->roles & ROLE_ADMIN); }

/* cracklib keeps its open dictionary in static state: one check at a time. */
static pthread_mutex_t crack_mu = PTHREAD_MUTEX_INITIALIZER;

/* cracklib's reasons (English, C locale) and their Chinese. */
static const struct { const char *en, *zh; } CRACK_REASONS[] = {
    {"dictionary word", "基于字典中的单词"},
    {"too simplistic", "过于简单或有规律"},
    {"DIFFERENT characters", "不同的字符太少"},
    {"whitespace", "全是空白字符"},
    {"too short", "太短"},
    {"username", "基于登录名"},
    {"password entry", "基于用户的个人信息"},
    {"National Insurance", "像证件号码"},
};

/* Whether hay contains needle, ASCII case folded (needle of 3 or more bytes). */
static bool contains_folded(const char *hay, const char *needle)
{
    size_t n = needle ? strlen(needle) : 0;
    if (n < 3) return false;
    for (const char *h = hay; *h; h++)
        if (strncasecmp(h, needle, n) == 0) return true;
    return false;
}

int auth_password_acceptable(const char *pw, const char *login, const char *name, struct err *e)
{
    size_t n = pw ? strlen(pw) : 0;
    if (n < 10)
        return err_set(e, ERR_VALIDATION, "/password", "a password needs at least 10 characters",
                       "密码至少需要10个字符");
    if (n > 256)
        return err_set(e, ERR_VALIDATION, "/password", "a password has at most 256 bytes", "密码最长256字节");
    if (contains_folded(pw, login) || contains_folded(pw, name))
        return err_set(e, ERR_VALIDATION, "/password", "the password must not contain the login or the user's name",
                       "密码不得包含登录名或用户姓名");
    pthread_mutex_lock(&crack_mu);
    const char *why = FascistCheckUser(pw, GetDefaultCracklibDict(), login && *login ? login : "-",
                                       name && *name ? name : NULL);
    char reason[256];
    snprintf(reason, sizeof reason, "%s", why ? why : "");
    if (!why) {
        /* cracklib lets a dictionary word with a few digits or signs around it pass
         * ("password1234", "Sunshine2026!"): check the word alone too */
        size_t b = 0, e_ = n;
        while (b < n && !((pw[b] | 32) >= 'a' && (pw[b] | 32) <= 'z')) b++;
        while (e_ > b && !((pw[e_ - 1] | 32) >= 'a' && (pw[e_ - 1] | 32) <= 'z')) e_--;
        bool word = e_ - b >= 4 && e_ - b < n;
        for (size_t i = b; word && i < e_; i++) word = (pw[i] | 32) >= 'a' && (pw[i] | 32) <= 'z';
        if (word) {
            char core[257];
            snprintf(core, sizeof core, "%.*s", (int)(e_ - b), pw + b);
            const char *w = FascistCheck(core, GetDefaultCracklibDict());
            if (w && (strstr(w, "dictionary word") || strstr(w, "error loading dictionary")))
                snprintf(reason, sizeof reason, "%s", w);
            sodium_memzero(core, sizeof core);
        }
    }
    pthread_mutex_unlock(&crack_mu);
    if (!why && reason[0]) why = reason;
    if (!why) return 0;
    if (strstr(reason, "error loading dictionary"))
        return err_set(e, ERR_INTERNAL, NULL,
                       "the password dictionary cannot be read (install cracklib-runtime): %s",
                       "无法读取密码字典（请安装 cracklib-runtime）：%s", reason);
    const char *zh = "强度不足";
    for (size_t i = 0; i < sizeof CRACK_REASONS / sizeof CRACK_REASONS[0]; i++)
        if (strstr(reason, CRACK_REASONS[i].en)) { zh = CRACK_REASONS[i].zh; break; }
    return err_set(e, ERR_VALIDATION, "/password",
                   "the password is too weak: %s%.0s; choose a longer phrase of unrelated words or random characters",
                   "密码强度不足：%.0s%s；请使用由不相关单词组成的较长短语或随机字符", reason, zh);
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

struct token_job {
    const char *hash; int64_t user_id; const char *kind, *name, *csrf; int64_t expires; const struct principal *who;
    const char *public_id;   /* API tokens only */
};

static int token_insert_job(struct store_conn *c, void *arg, struct err *e)
{
    struct token_job *j = arg;
    int rc = j->public_id ? store_api_token_insert(c, j->hash, j->public_id, j->user_id, j->name, j->expires, e)
                          : store_token_insert(c, j->hash, j->user_id, j->kind, j->name, j->csrf, j->expires, e);
    if (rc != 0) return -1;
    json_t *d = j->name ? json_pack("{s:s s:s?}", "name", j->name, "id", j->public_id) : NULL;
    rc = audit_record(c, j->who, strcmp(j->kind, "api") == 0 ? "token.create" : "session.create", "user",
                      j->user_id, 0, j->who->org_id, NULL, NULL, d, e);
    json_decref(d);
    return rc;
}

/* ------------------------------------------------------------------------- device cookies */

int auth_serve_init(struct app *a, struct err *e)
{
    _Static_assert(sizeof a->device_key == KEYS_DEVICE_LEN, "the device-cookie key's length");
    if (keys_device(a->store, a->device_key, e) != 0) return -1;
    a->device_key_ready = true;
    return 0;
}

/* The MAC of a device cookie: over the login, the issue time and the nonce. */
static void device_mac(const struct app *a, const char *login, long long issued, const char *nonce,
                       unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, a->device_key, sizeof a->device_key);
    char head[64];
    int hn = snprintf(head, sizeof head, "beian-device-v1|%lld|", issued);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)head, (size_t)hn);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)nonce, strlen(nonce));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)login, strlen(login));
    crypto_auth_hmacsha256_final(&st, mac);
}

/* A fresh device cookie value for login: "v1.<issued>.<nonce>.<mac>" (base64url). */
static void device_cookie_make(const struct app *a, const char *login, int64_t now, char *out)
{
    out[0] = 0;
    if (!a->device_key_ready) return;
    unsigned char raw[16], mac[crypto_auth_hmacsha256_BYTES];
    randombytes_buf(raw, sizeof raw);
    char nonce[sodium_base64_ENCODED_LEN(16, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(nonce, sizeof nonce, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    device_mac(a, login, (long long)now, nonce, mac);
    char m64[sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(m64, sizeof m64, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(out, AUTH_DEVICE_COOKIE_MAX, "v1.%lld.%s.%s", (long long)now, nonce, m64);
}

/* Whether value is a device cookie this server issued for login within the last year; nonce gets
 * its nonce (which names the cookie's own failure counter). */
static bool device_cookie_valid(const struct app *a, const char *login, const char *value, int64_t now,
                                char nonce[32])
{
    if (!a->device_key_ready || !value || strlen(value) >= AUTH_DEVICE_COOKIE_MAX || strncmp(value, "v1.", 3) != 0)
        return false;
    const char *p = value + 3;
    char *end;
    long long issued = strtoll(p, &end, 10);
    if (end == p || *end != '.' || issued <= 0) return false;
    const char *n = end + 1, *dot = strchr(n, '.');
    if (!dot || dot - n != 22) return false;
    memcpy(nonce, n, 22);
    nonce[22] = 0;
    unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
    size_t got_len = 0;
    if (sodium_base642bin(got, sizeof got, dot + 1, strlen(dot + 1), NULL, &got_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || got_len != sizeof got)
        return false;
    device_mac(a, login, issued, nonce, want);
    if (sodium_memcmp(want, got, sizeof want) != 0) return false;
    return issued <= now + 300 && now - issued <= (int64_t)DEVICE_COOKIE_DAYS * 86400;
}

static int too_many(struct err *e, int64_t wait)
{
    if (wait < 1) wait = 1;
    err_extra(e, "retry_after", json_integer(wait));
    return err_set(e, ERR_TOO_MANY, NULL, "too many failed attempts; try again in %lld seconds",
                   "失败次数过多，请 %lld 秒后再试", (long long)wait);
}

int auth_login(struct app *a, const char *login, const char *password, const char *client_ip,
               const char *device_cookie, char **token, char *csrf, size_t csrf_len, struct principal *p,
               char *device_out, struct err *e)
{
    device_out[0] = 0;
    if (!login || !*login || !password)
        return err_set(e, ERR_VALIDATION, "/login", "login and password are required", "请输入登录名和密码");
    if (strlen(login) > 64 || strlen(password) > 256)
        return err_set(e, ERR_UNAUTHENTICATED, NULL, "wrong login or password", "登录名或密码错误");
    int64_t now = service_now();
    char nonce[32];
    bool known_device = device_cookie_valid(a, login, device_cookie, now, nonce);
    uint64_t kdev = 0, kpair = 0, kstr = 0;
    int64_t wait;
    if (known_device) {
        kdev = throttle_key(a->throttle, "device", nonce, NULL);
        wait = throttle_reserve(a->throttle, kdev, FREE_FAILS_DEVICE, false, now);
    } else {
        kpair = throttle_key(a->throttle, "pair", login, client_ip ? client_ip : "");
        kstr = throttle_key(a->throttle, "strangers", login, NULL);
        wait = throttle_wait(a->throttle, kstr, now);
        if (!wait) wait = throttle_reserve(a->throttle, kpair, FREE_FAILS_PAIR, false, now);
        if (!wait) throttle_reserve(a->throttle, kstr, FREE_FAILS_STRANGERS, true, now);
    }
    if (wait) return too_many(e, wait);
    struct store_conn *c = store_reader(a->store);
    json_t *user = store_user_by_login(c, login);
    int ok = 0;
    if (hash_slot_enter(a, e) != 0) { /* not an attempt: give back what was counted */
        if (kdev) throttle_release(a->throttle, kdev);
        if (kpair) throttle_release(a->throttle, kpair);
        if (kstr) throttle_release(a->throttle, kstr);
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
    if (kdev) throttle_forget(a->throttle, kdev);
    if (kpair) throttle_forget(a->throttle, kpair);
    if (kstr) throttle_release(a->throttle, kstr);
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
    struct token_job j = {p->token_hash, p->user_id, "session", NULL, csrf, now + SESSION_SECONDS, p, NULL};
    if (store_write(a->store, token_insert_job, &j, e) != 0) { free(secret); return -1; }
    device_cookie_make(a, p->login, now, device_out);
    *token = secret;
    return 0;
}

/* The last token this thread resolved inside a read transaction, with the database generation it
 * was read at (store_read_generation) and the records' generation (store_records_generation):
 * while no commit anywhere has moved the first — a sign-out, a revoked token, a disabled user,
 * new roles all commit — the same token resolves to the same principal without the query. Other
 * requests' saves move the first and not the second, which every change of a user, an
 * organisation or a token's row moves (migrations 16 and 17; a new token changes no principal
 * already resolved): so the same token still resolves without its query when only the second
 * stands. Its expiry is checked every time: the clock moves without a commit. Only a token that
 * resolved is kept. */
static _Thread_local struct {
    bool kept;
    char hash[65];
    uint64_t generation[2];
    int64_t records;   /* -1: not read */
    int64_t expires_at;
    struct principal p;
} last_resolved;

/* The records' generation in the current read transaction, or -1. */
static int64_t records_generation(struct app *a)
{
    int64_t n;
    return store_records_generation(store_reader(a->store), &n) ? n : -1;
}

/* Whether the kept principal still stands at (generation, and the records' generation read on
 * demand): the same generation, or the same records' generation. */
static bool kept_stands(struct app *a, const uint64_t generation[2])
{
    if (memcmp(last_resolved.generation, generation, sizeof last_resolved.generation) == 0) return true;
    if (last_resolved.records < 0 || records_generation(a) != last_resolved.records) return false;
    memcpy(last_resolved.generation, generation, sizeof last_resolved.generation);
    return true;
}

int auth_resolve(struct app *a, const char *token, struct principal *p, struct err *e)
{
    if (!token || strlen(token) < 10 || strlen(token) > 200)
        return err_set(e, ERR_UNAUTHENTICATED, NULL, "sign in first", "请先登录");
    char hash[65];
    sha256_hex(token, strlen(token), hash);
    uint64_t generation[2];
    bool known = app_read_generation(a, generation);   /* inside the request's read transaction */
    if (known && last_resolved.kept && strcmp(last_resolved.hash, hash) == 0 && kept_stands(a, generation)) {
        if (last_resolved.expires_at < (int64_t)service_now())
            return err_set(e, ERR_UNAUTHENTICATED, NULL, "your session has ended; sign in again", "会话已失效，请重新登录");
        *p = last_resolved.p;
        return 0;
    }
    json_t *t = store_token_principal(store_reader(a->store), hash);
    if (!t || json_integer_value(json_object_get(t, "revoked")) ||
        json_integer_value(json_object_get(t, "expires_at")) < (json_int_t)service_now()) {
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
    last_resolved.kept = known;
    if (known) {
        snprintf(last_resolved.hash, sizeof last_resolved.hash, "%s", hash);
        memcpy(last_resolved.generation, generation, sizeof generation);
        last_resolved.records = records_generation(a);
        last_resolved.expires_at = json_integer_value(json_object_get(t, "expires_at"));
        last_resolved.p = *p;
    }
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
                      char **token, json_t **out, struct err *e)
{
    if (strcmp(p->token_kind, "session") != 0)
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "an API token cannot create tokens; sign in with your password to create one",
                       "API 令牌不能创建令牌；请用密码登录后再创建");
    if (!name || !*name || strlen(name) > 100)
        return err_set(e, ERR_VALIDATION, "/name", "a token needs a name of 1 to 100 characters",
                       "令牌名称需为1至100个字符");
    int max = a->token_max_days > 0 ? a->token_max_days : TOKEN_MAX_DAYS;
    int def = a->token_days > 0 ? a->token_days : TOKEN_DEFAULT_DAYS;
    if (def > max) def = max;
    if (days == 0) days = def;
    if (days < 0 || days > max)
        return err_set(e, ERR_VALIDATION, "/days", "a token lives 1 to %d days (ask for a new one when it ends)",
                       "令牌有效期为1至%d天（到期后请重新创建）", max);
    unsigned char raw[8];
    randombytes_buf(raw, sizeof raw);
    char public_id[17];
    sodium_bin2hex(public_id, sizeof public_id, raw, sizeof raw);
    char *secret = new_secret("bt_");
    char hash[65];
    sha256_hex(secret, strlen(secret), hash);
    int64_t now = service_now();
    struct token_job j = {hash, p->user_id, "api", name, NULL, now + (int64_t)days * 86400, p, public_id};
    if (store_write(a->store, token_insert_job, &j, e) != 0) { free(secret); return -1; }
    if (out) {
        json_t *row = store_api_token_get(store_reader(a->store), public_id);
        *out = row;
    }
    *token = secret;
    return 0;
}

json_t *auth_token_list(struct app *a, const struct principal *p, bool org, struct err *e)
{
    if (org && !(p->roles & ROLE_ORG_ADMIN)) {
        err_set(e, ERR_FORBIDDEN, NULL, "only an organisation administrator lists its members' tokens",
                "只有单位管理员可以查看本单位成员的令牌");
        return NULL;
    }
    return store_api_token_list(store_reader(a->store), org ? 0 : p->user_id, org ? p->org_id : 0, service_now());
}

struct token_revoke_id_job { const struct principal *who; const char *id; int64_t user_id, org_id; };

static int token_revoke_id_job(struct store_conn *c, void *arg, struct err *e)
{
    struct token_revoke_id_job *j = arg;
    if (store_api_token_revoke(c, j->id, e) != 0) return -1;
    json_t *d = json_pack("{s:s}", "id", j->id);
    int rc = audit_record(c, j->who, "token.revoke", "user", j->user_id, 0, j->org_id, NULL, NULL, d, e);
    json_decref(d);
    return rc;
}

int auth_token_revoke(struct app *a, const struct principal *p, const char *id, struct err *e)
{
    json_t *t = id && strlen(id) == 16 ? store_api_token_get(store_reader(a->store), id) : NULL;
    int64_t owner = t ? json_integer_value(json_object_get(t, "user_id")) : 0;
    int64_t org = t ? json_integer_value(json_object_get(t, "org_id")) : 0;
    bool mine = t && owner == p->user_id;
    bool member = t && (p->roles & ROLE_ORG_ADMIN) && org == p->org_id;
    bool alive = t && !json_integer_value(json_object_get(t, "revoked"));
    json_decref(t);
    if (!(mine || member) || !alive) return err_set(e, ERR_NOT_FOUND, NULL, "no such token", "令牌不存在");
    struct token_revoke_id_job j = {p, id, owner, org};
    return store_write(a->store, token_revoke_id_job, &j, e);
}

int auth_password_change_begin(struct app *a, const struct principal *p, struct err *e)
{
    char uid[32];
    snprintf(uid, sizeof uid, "%lld", (long long)p->user_id);
    int64_t wait = throttle_reserve(a->throttle, throttle_key(a->throttle, "passwd", uid, NULL), FREE_FAILS_PASSWD,
                                    false, service_now());
    return wait ? too_many(e, wait) : 0;
}

void auth_password_change_done(struct app *a, const struct principal *p, bool old_password_right)
{
    char uid[32];
    snprintf(uid, sizeof uid, "%lld", (long long)p->user_id);
    uint64_t k = throttle_key(a->throttle, "passwd", uid, NULL);
    if (old_password_right) throttle_forget(a->throttle, k);
}
