/* notify_sender.c — the outbox worker (see notify_sender.h). One thread; it polls the outbox
 * twice a second (a delivery committed by an event is sent within about half a second), sends
 * what is due in batches of 20, and records the batch's attempts in one write: done after a 2xx (webhook) or an
 * accepted message (SMTP), else pending again after 1, 2, 4, … times the base delay
 * (BEIAN_NOTIFY_RETRY_SECONDS, default 30; at most 6 hours apart) until 24 hours have passed, then
 * failed. A crash between a delivery and its record sends it again with the same webhook-id, which
 * receivers use to drop repeats; nothing committed is ever lost. */
#include "service/notify_sender.h"
#include "service/app_internal.h"
#include "service/notify.h"
#include "service/test_clock.h"
#include "service/webhooks.h"
#include "core/clock.h"
#include "policy/pack.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

enum { LIFETIME = 24 * 3600, MAX_GAP = 6 * 3600, BATCH = 20, TIMEOUT_S = 10 };

struct notify_sender {
    struct app *a;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    int64_t retry_base;
    char smtp_url[512], smtp_from[320], smtp_user[256], smtp_password[256];
};

int notify_webhook_sign(const char *secret, const char *id, int64_t ts, const char *body, char *out, size_t out_len)
{
    if (strncmp(secret, "whsec_", 6) != 0) return -1;
    unsigned char key[64];
    size_t key_len = 0;
    if (sodium_base642bin(key, sizeof key, secret + 6, strlen(secret + 6), NULL, &key_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, key_len);
    char tsbuf[32];
    snprintf(tsbuf, sizeof tsbuf, ".%lld.", (long long)ts);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)tsbuf, strlen(tsbuf));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(key, sizeof key);
    if (out_len < 4 + sodium_base64_ENCODED_LEN(sizeof mac, sodium_base64_VARIANT_ORIGINAL)) return -1;
    memcpy(out, "v1,", 3);
    sodium_bin2base64(out + 3, out_len - 3, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *u)
{
    (void)p;
    (void)u;
    return size * n;
}

/* One webhook delivery: 0 on a 2xx; else -1 with status (0: no answer) and error. */
static int send_webhook(struct notify_sender *s, const json_t *row, int *status, char *error, size_t error_len)
{
    json_t *hook = store_webhook_get(store_reader(s->a->store), jint(row, "target_id"));
    if (!hook) {
        snprintf(error, error_len, "endpoint deleted");
        return -1;
    }
    const char *url = jstr(hook, "url");
    char host[256], pin[512];
    int port;
    struct err e = {0};
    if (webhook_target_check(url, host, sizeof host, &port, pin, sizeof pin, &e) != 0) {
        snprintf(error, error_len, "%s", e.detail_en);
        err_clear(&e);
        json_decref(hook);
        return -1;
    }
    char *body = json_dumps(json_object_get(row, "payload"), JSON_COMPACT | JSON_SORT_KEYS);
    int64_t ts = (int64_t)clock_now();
    char sig[128], h_id[80], h_ts[64], h_sig[160], resolve[900];
    int rc = -1;
    if (!body || notify_webhook_sign(jstr(hook, "secret"), jstr(row, "msg_id"), ts, body, sig, sizeof sig) != 0) {
        snprintf(error, error_len, "cannot sign");
        goto out;
    }
    snprintf(h_id, sizeof h_id, "webhook-id: %s", jstr(row, "msg_id"));
    snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %lld", (long long)ts);
    snprintf(h_sig, sizeof h_sig, "webhook-signature: %s", sig);
    snprintf(resolve, sizeof resolve, "%s:%d:%s", host, port, pin);
    CURL *curl = curl_easy_init();
    if (!curl) goto out;
    struct curl_slist *hdr = NULL, *res = NULL;
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, h_id);
    hdr = curl_slist_append(hdr, h_ts);
    hdr = curl_slist_append(hdr, h_sig);
    hdr = curl_slist_append(hdr, "User-Agent: beian-webhooks/1");
    res = curl_slist_append(res, resolve);   /* connect to the addresses checked, nothing else */
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_RESOLVE, res);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)TIMEOUT_S);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    CURLcode cc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    *status = (int)code;
    if (cc != CURLE_OK) snprintf(error, error_len, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
    else if (code < 200 || code > 299) snprintf(error, error_len, "HTTP %ld", code);
    else rc = 0;
    curl_slist_free_all(hdr);
    curl_slist_free_all(res);
    curl_easy_cleanup(curl);
out:
    free(body);
    json_decref(hook);
    return rc;
}

/* ---- e-mail ------------------------------------------------------------------------------------- */

struct mail_buf { char *data; size_t len, off; };

static size_t mail_read(char *p, size_t size, size_t n, void *u)
{
    struct mail_buf *m = u;
    size_t want = size * n, left = m->len - m->off;
    if (want > left) want = left;
    memcpy(p, m->data + m->off, want);
    m->off += want;
    return want;
}

static void b64(const char *s, size_t n, char **out)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    *out = malloc(cap);
    if (*out) sodium_bin2base64(*out, cap, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
}

/* The message: UTF-8 subject (RFC 2047) and body (base64, lines of 76), Content-Language. */
static char *build_mail(const char *from, const char *to, const char *lang, const char *msg_id, const char *subject,
                        const char *body)
{
    char *sub64 = NULL, *body64 = NULL;
    b64(subject, strlen(subject), &sub64);
    b64(body, strlen(body), &body64);
    if (!sub64 || !body64) {
        free(sub64);
        free(body64);
        return NULL;
    }
    char date[64];
    time_t now = clock_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    size_t blen = strlen(body64), cap = strlen(sub64) + blen + blen / 76 * 2 + 2048;
    char *m = malloc(cap);
    if (m) {
        const char *at = strchr(from, '@');
        int n = snprintf(m, cap,
                         "From: %s\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n"
                         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                         "Content-Transfer-Encoding: base64\r\nContent-Language: %s\r\n\r\n",
                         from, to, sub64, date, msg_id, at ? at + 1 : "beian", lang);
        size_t used = n > 0 ? (size_t)n : 0;
        for (size_t i = 0; i < blen; i += 76) {
            size_t k = blen - i < 76 ? blen - i : 76;
            memcpy(m + used, body64 + i, k);
            used += k;
            memcpy(m + used, "\r\n", 2);
            used += 2;
        }
        m[used] = 0;
    }
    free(sub64);
    free(body64);
    return m;
}

static int send_mail(struct notify_sender *s, const json_t *row, int *status, char *error, size_t error_len)
{
    if (!s->smtp_url[0]) {
        snprintf(error, error_len, "no SMTP server configured (BEIAN_SMTP_URL)");
        return -1;
    }
    json_t *prefs = store_notify_prefs_get(store_reader(s->a->store), jint(row, "target_id"));
    const char *to = jstr(prefs, "email"), *lang = jstr(prefs, "lang") ? jstr(prefs, "lang") : "zh";
    int rc = -1;
    if (!to || !*to) {
        snprintf(error, error_len, "the user has no e-mail address");
        json_decref(prefs);
        return -1;
    }
    const json_t *payload = json_object_get(row, "payload");
    char *subject = NULL, *body = NULL;
    notify_render(s->a->pack, jstr(payload, "event"), lang, json_object_get(payload, "params"), &subject, &body);
    char *msg = subject && body ? build_mail(s->smtp_from, to, lang, jstr(row, "msg_id"), subject, body) : NULL;
    CURL *curl = msg ? curl_easy_init() : NULL;
    if (curl) {
        struct mail_buf mb = {msg, strlen(msg), 0};
        struct curl_slist *rcpt = curl_slist_append(NULL, to);
        char from[340], cerr[CURL_ERROR_SIZE] = "";
        snprintf(from, sizeof from, "<%s>", s->smtp_from);
        curl_easy_setopt(curl, CURLOPT_URL, s->smtp_url);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);   /* STARTTLS when offered */
        if (s->smtp_user[0]) {
            curl_easy_setopt(curl, CURLOPT_USERNAME, s->smtp_user);
            curl_easy_setopt(curl, CURLOPT_PASSWORD, s->smtp_password);
        }
        curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
        curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, mail_read);
        curl_easy_setopt(curl, CURLOPT_READDATA, &mb);
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)TIMEOUT_S * 3);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr);
        CURLcode cc = curl_easy_perform(curl);
        long code = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
        *status = (int)code;
        if (cc == CURLE_OK) rc = 0;
        else snprintf(error, error_len, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
        curl_slist_free_all(rcpt);
        curl_easy_cleanup(curl);
    } else {
        snprintf(error, error_len, "cannot build the message");
    }
    free(msg);
    free(subject);
    free(body);
    json_decref(prefs);
    return rc;
}

/* ---- the loop ----------------------------------------------------------------------------------- */

struct attempt { int64_t id, next_at, ms; const char *state; char error[512]; int status; };
struct attempts_job { struct attempt *a; size_t n; };

/* The results of a batch, recorded in one write (one commit, not one per delivery). A crash
 * before it sends the batch again, with the same webhook-ids. */
static int attempts_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct attempts_job *j = arg;
    for (size_t i = 0; i < j->n; i++) {
        struct attempt *a = &j->a[i];
        if (store_outbox_attempt(c, a->id, a->state, a->next_at, a->status, a->state[0] == 'd' ? NULL : a->error, a->ms,
                                 e) != 0)
            return -1;
    }
    return 0;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send what is due (at most BATCH); returns how many rows were due. */
static size_t work_once(struct notify_sender *s)
{
    int64_t now = (int64_t)clock_now();
    json_t *due = store_outbox_due(store_reader(s->a->store), now, BATCH);
    size_t i, count = json_array_size(due);
    json_t *row;
    struct attempt results[BATCH];
    json_array_foreach(due, i, row) {
        struct attempt *a = &results[i];
        memset(a, 0, sizeof *a);
        int64_t t0 = mono_ms();
        bool hook = strcmp(jstr(row, "channel"), "webhook") == 0;
        int rc = hook ? send_webhook(s, row, &a->status, a->error, sizeof a->error)
                      : send_mail(s, row, &a->status, a->error, sizeof a->error);
        a->id = jint(row, "id");
        a->ms = mono_ms() - t0;
        now = (int64_t)clock_now();
        if (rc == 0) {
            a->state = "done";
            a->next_at = now;
        } else {
            int64_t n = jint(row, "attempts");
            int64_t gap = s->retry_base << (n < 20 ? n : 20);
            if (gap > MAX_GAP) gap = MAX_GAP;
            bool expired = now + gap - jint(row, "created_unix") > LIFETIME || !strcmp(a->error, "endpoint deleted");
            a->state = expired ? "failed" : "pending";
            a->next_at = now + gap;
        }
    }
    if (count) {
        struct attempts_job j = {results, count};
        struct err e = {0};
        if (store_write(s->a->store, attempts_fn, &j, &e) != 0)
            fprintf(stderr, "beian: notifications: cannot record %zu deliveries: %s\n", count, e.detail_en);
        err_clear(&e);
    }
    json_decref(due);
    return count;
}

static void *sender_main(void *arg)
{
    struct notify_sender *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        pthread_mutex_unlock(&s->mu);
        test_clock_refresh();
        /* one node at a time sends (several nodes on one PostgreSQL); the others wait their turn */
        size_t n = store_leads(s->a->store, "notify") ? work_once(s) : 0;
        pthread_mutex_lock(&s->mu);
        if (n == BATCH) continue;   /* more may be due: no pause */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 500 * 1000000L;
        if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
        while (!s->stop && pthread_cond_timedwait(&s->cv, &s->mu, &until) == 0) {}
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void env_copy(char *dst, size_t len, const char *name)
{
    const char *v = getenv(name);
    snprintf(dst, len, "%s", v ? v : "");
}

struct notify_sender *notify_sender_start(struct app *a)
{
    struct notify_sender *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    s->a = a;
    const char *base = getenv("BEIAN_NOTIFY_RETRY_SECONDS");
    s->retry_base = base && atoi(base) > 0 ? atoi(base) : 30;
    env_copy(s->smtp_url, sizeof s->smtp_url, "BEIAN_SMTP_URL");
    env_copy(s->smtp_from, sizeof s->smtp_from, "BEIAN_SMTP_FROM");
    if (!s->smtp_from[0]) snprintf(s->smtp_from, sizeof s->smtp_from, "beian@localhost");
    env_copy(s->smtp_user, sizeof s->smtp_user, "BEIAN_SMTP_USER");
    env_copy(s->smtp_password, sizeof s->smtp_password, "BEIAN_SMTP_PASSWORD");
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->thread, NULL, sender_main, s) != 0) {
        fprintf(stderr, "beian: warning: no notification sender (thread)\n");
        sodium_memzero(s->smtp_password, sizeof s->smtp_password);
        free(s);
        return NULL;
    }
    return s;
}

void notify_sender_stop(struct notify_sender *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    sodium_memzero(s->smtp_password, sizeof s->smtp_password);
    free(s);
    curl_global_cleanup();
}
