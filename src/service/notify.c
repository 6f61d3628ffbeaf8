/* notify.c — from event to inbox and outbox (see notify.h). The hook runs inside the write that
 * records the event, so an event and its notifications commit or vanish together; the sender
 * (notify_sender.c) delivers the outbox afterwards. Texts are rendered when read or sent, from
 * the pack's notifications.json, so a wording change needs no release and no data migration. */
#include "service/notify.h"
#include "service/app_internal.h"
#include "service/auth.h"
#include "service/input.h"
#include "core/clock.h"
#include "core/sign.h"
#include "core/workflow.h"
#include "policy/pack.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }
static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* ---- the hook ----------------------------------------------------------------------------------- */

static void add_people(struct store_conn *c, int64_t org_id, const char *role, int64_t actor, json_t *ids)
{
    if (!org_id) return;
    json_t *rows = store_users_with_role(c, org_id, role);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        int64_t id = jint(r, "id");
        if (id == actor) continue;   /* the one who acted knows */
        bool seen = false;
        size_t k;
        json_t *v;
        json_array_foreach(ids, k, v) if (json_integer_value(v) == id) seen = true;
        if (!seen) json_array_append_new(ids, json_integer(id));
    }
    json_decref(rows);
}

static void add_org(json_t *orgs, int64_t id)
{
    if (!id) return;
    size_t k;
    json_t *v;
    json_array_foreach(orgs, k, v) if (json_integer_value(v) == id) return;
    json_array_append_new(orgs, json_integer(id));
}

void notify_msg_id(char out[40])
{
    unsigned char rnd[12];
    randombytes_buf(rnd, sizeof rnd);
    memcpy(out, "msg_", 4);
    sodium_bin2hex(out + 4, 40 - 4, rnd, sizeof rnd);
}

static bool wants_mail(const json_t *prefs, const char *event)
{
    if (!jstr(prefs, "email") || !*jstr(prefs, "email")) return false;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(prefs, "email_events"), i, v) {
        const char *s = json_string_value(v);
        if (s && (strcmp(s, event) == 0 || strcmp(s, "*") == 0)) return true;
    }
    return false;
}

/* Whom an event of a filing reaches: everything it depends on is the key. */
struct recipients {
    const struct notify_event *ev;
    int64_t owner, provider, authority, actor;
    json_t *people;   /* [[user id, wants it by e-mail]], in the order they are told */
    json_t *hooks;    /* webhook ids, the organisations' in turn (the owner's first) */
};

static void recipients_find(struct store_conn *c, struct recipients *r)
{
    const struct notify_event *ev = r->ev;
    json_t *ids = json_array(), *orgs = json_array();
    add_org(orgs, r->owner);
    if (ev->audience & AUD_OWNER_FILERS) add_people(c, r->owner, "filer", r->actor, ids);
    if (ev->audience & AUD_OWNER_CHECKERS) add_people(c, r->owner, "checker", r->actor, ids);
    if (ev->audience & AUD_OWNER_ADMINS) add_people(c, r->owner, "org_admin", r->actor, ids);
    if (ev->audience & AUD_PROVIDER_USERS) {
        add_people(c, r->provider, "provider", r->actor, ids);
        add_org(orgs, r->provider);
    }
    if (ev->audience & AUD_AUTHORITY_REVIEWERS) {
        add_people(c, r->authority, "reviewer", r->actor, ids);
        add_org(orgs, r->authority);
    }
    r->people = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        json_t *prefs = store_notify_prefs_get(c, json_integer_value(v));
        json_array_append_new(r->people, json_pack("[O b]", v, wants_mail(prefs, ev->event)));
        json_decref(prefs);
    }
    /* the webhooks of the organisations concerned (the owner's always: it sees all of its filing) */
    r->hooks = json_array();
    json_array_foreach(orgs, i, v) {
        json_t *hooks = store_webhooks_for_event(c, json_integer_value(v), ev->event);
        size_t k;
        json_t *h;
        json_array_foreach(hooks, k, h) json_array_append(r->hooks, json_object_get(h, "id"));
        json_decref(hooks);
    }
    json_decref(ids);
    json_decref(orgs);
}

static void recipients_clear(struct recipients *r)
{
    json_decref(r->people);
    json_decref(r->hooks);
    r->people = r->hooks = NULL;
}

enum { CACHE_SLOTS = 32 };
struct notify_cache {
    struct recipients slot[CACHE_SLOTS];
    int n;
};

struct notify_cache *notify_cache_new(void)
{
    return calloc(1, sizeof(struct notify_cache));
}

void notify_cache_free(struct notify_cache *cache)
{
    if (!cache) return;
    for (int i = 0; i < cache->n; i++) recipients_clear(&cache->slot[i]);
    free(cache);
}

/* The recipients of key from the cache, found and kept when not there (the cache is emptied when
 * full); without a cache, found into key (the caller clears it). */
static const struct recipients *recipients_of(struct store_conn *c, struct notify_cache *cache, struct recipients *key)
{
    if (!cache) {
        recipients_find(c, key);
        return key;
    }
    for (int i = 0; i < cache->n; i++) {
        const struct recipients *r = &cache->slot[i];
        if (r->ev == key->ev && r->owner == key->owner && r->provider == key->provider &&
            r->authority == key->authority && r->actor == key->actor)
            return r;
    }
    if (cache->n == CACHE_SLOTS) {
        for (int i = 0; i < cache->n; i++) recipients_clear(&cache->slot[i]);
        cache->n = 0;
    }
    struct recipients *r = &cache->slot[cache->n++];
    *r = *key;
    recipients_find(c, r);
    return r;
}

void notify_filing_of_row(const json_t *row, struct notify_filing *out)
{
    *out = (struct notify_filing){
        .org_id = jint(row, "org_id"), .provider_org_id = jint(row, "provider_org_id"),
        .authority_org_id = jint(row, "authority_org_id"), .system_name = jstr(row, "system_name"),
        .subject_name = jstr(row, "subject_name"), .number = jstr(row, "number"),
    };
}

int notify_from_event(struct store_conn *c, const struct audit_entry *a, struct err *e)
{
    const char *to = a->detail ? jstr(a->detail, "to") : NULL;
    if (!notify_event_for(a->action, to) || !a->filing_id) return 0;
    json_t *row = store_filing_get_raw(c, a->filing_id);
    if (!row) return 0;
    struct notify_filing f;
    notify_filing_of_row(row, &f);
    int rc = notify_from_event_of(c, a, &f, NULL, NULL, e);
    json_decref(row);
    return rc;
}

/* The parameters of the event's texts: the filing's names, the entry's detail, the link. */
/* Where an event's notification leads: its inspection or its filing. */
static void event_link(const struct audit_entry *a, char link[64])
{
    if (strcmp(a->object_type, "inspection") == 0) snprintf(link, 64, "/inspections/%lld", (long long)a->object_id);
    else snprintf(link, 64, "/filings/%lld", (long long)a->filing_id);
}

static json_t *event_params(const struct audit_entry *a, const struct notify_filing *f, char link[64])
{
    event_link(a, link);
    json_t *params = json_object();
    json_object_set_new(params, "filing_id", json_integer(a->filing_id));
    json_object_set_new(params, "action", json_string(a->action));
    if (f->system_name) json_object_set_new(params, "system", json_string(f->system_name));
    if (f->subject_name) json_object_set_new(params, "subject", json_string(f->subject_name));
    if (f->number) json_object_set_new(params, "number", json_string(f->number));
    static const char *const copy_detail[] = {"from", "to", "comment", "reason", "items", "rule", "path", "severity",
                                              "message", "due_on", "kind", "pack", "effective_from", "rules", NULL};
    for (int i = 0; a->detail && copy_detail[i]; i++) {
        json_t *v = json_object_get(a->detail, copy_detail[i]);
        if (v) json_object_set(params, copy_detail[i], v);
    }
    if (strcmp(a->object_type, "inspection") == 0) json_object_set_new(params, "inspection_id", json_integer(a->object_id));
    json_object_set_new(params, "link", json_string(link));
    return params;
}

char *notify_params_text(const struct audit_entry *a, const struct notify_filing *f)
{
    char link[64];
    json_t *params = event_params(a, f, link);
    char *text = sign_canonical(params);
    json_decref(params);
    return text;
}

int notify_from_event_of(struct store_conn *c, const struct audit_entry *a, const struct notify_filing *f,
                         struct notify_cache *cache, const char *made, struct err *e)
{
    const char *to = a->detail ? jstr(a->detail, "to") : NULL;
    const struct notify_event *ev = notify_event_for(a->action, to);
    if (!ev || !a->filing_id) return 0;
    struct recipients key = {ev, f->org_id, f->provider_org_id, f->authority_org_id, a->actor_user_id, NULL, NULL};
    const struct recipients *r = recipients_of(c, cache, &key);
    if (json_array_size(r->people) == 0 && json_array_size(r->hooks) == 0) {
        recipients_clear(&key);
        return 0;
    }
    char link[64];
    /* the parameters as a tree only when a text must be made of them here: the inbox's when the
     * caller did not make it (the standing pass's workers do), an e-mail's, a webhook's */
    json_t *params = NULL;
    if (made) event_link(a, link);
    else params = event_params(a, f, link);
    /* one text of each kind for everyone the event reaches */
    char *own = made ? NULL : sign_canonical(params), *mail_text = NULL, *hook_text = NULL;
    const char *params_text = made ? made : own;
    int rc = params_text ? 0 : err_set(e, ERR_INTERNAL, NULL, "cannot serialise notification", "无法生成通知");
    int64_t now = (int64_t)clock_now();
    size_t i;
    json_t *p;
    json_array_foreach(r->people, i, p) {
        if (rc) break;
        int64_t uid = json_integer_value(json_array_get(p, 0));
        if ((rc = store_inbox_insert(c, uid, ev->event, a->filing_id, link, params_text, e) < 0 ? -1 : 0) != 0) break;
        if (!json_is_true(json_array_get(p, 1))) continue;
        if (!params) params = event_params(a, f, link);
        if (!mail_text) {
            json_t *payload = json_pack("{s:s s:O}", "event", ev->event, "params", params);
            mail_text = sign_canonical(payload);
            json_decref(payload);
        }
        char id[40];
        notify_msg_id(id);
        rc = store_outbox_insert(c, "email", uid, ev->event, id, mail_text, now, e) < 0 ? -1 : 0;
    }
    if (!rc && json_array_size(r->hooks)) {
        char ts[32];
        time_t t = (time_t)now;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
        if (!params) params = event_params(a, f, link);
        json_t *payload = json_pack("{s:s s:s s:O}", "type", ev->event, "timestamp", ts, "data", params);
        hook_text = sign_canonical(payload);
        json_decref(payload);
    }
    json_t *h;
    json_array_foreach(r->hooks, i, h) {
        if (rc) break;
        char id[40];
        notify_msg_id(id);
        rc = store_outbox_insert(c, "webhook", json_integer_value(h), ev->event, id, hook_text, now, e) < 0 ? -1 : 0;
    }
    free(own);
    free(mail_text);
    free(hook_text);
    json_decref(params);
    recipients_clear(&key);
    return rc;
}

/* ---- rendering ---------------------------------------------------------------------------------- */

static void put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = (*cap ? *cap : 256);
        while (*len + n + 1 > c) c *= 2;
        char *nb = realloc(*buf, c);
        if (!nb) return;
        *buf = nb;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = 0;
}

/* One placeholder's value: text, a number, {zh, en} in the language, or the items as lines. */
static void put_value(char **buf, size_t *len, size_t *cap, const json_t *v, const char *lang)
{
    char tmp[32];
    if (json_is_string(v)) put(buf, len, cap, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v)) {
        int n = snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
        put(buf, len, cap, tmp, (size_t)n);
    } else if (json_is_object(v)) {
        const char *s = jstr(v, lang) ? jstr(v, lang) : jstr(v, "zh");
        if (s) put(buf, len, cap, s, strlen(s));
    } else if (json_is_array(v)) {
        size_t i;
        json_t *it;
        json_array_foreach(v, i, it) {
            put(buf, len, cap, "\n- ", 3);
            const char *m = jstr(it, "message"), *p = jstr(it, "path");
            if (m) put(buf, len, cap, m, strlen(m));
            if (p) {
                put(buf, len, cap, " (", 2);
                put(buf, len, cap, p, strlen(p));
                put(buf, len, cap, ")", 1);
            }
        }
    }
}

static char *fill(const char *tpl, const char *lang, const json_t *params)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    put(&buf, &len, &cap, "", 0);
    for (const char *s = tpl; s && *s;) {
        const char *open = strchr(s, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close || close - open > 40) {
            put(&buf, &len, &cap, s, strlen(s));
            break;
        }
        put(&buf, &len, &cap, s, (size_t)(open - s));
        char key[48];
        snprintf(key, sizeof key, "%.*s", (int)(close - open - 1), open + 1);
        put_value(&buf, &len, &cap, json_object_get(params, key), lang);
        s = close + 1;
    }
    return buf;
}

void notify_render(const struct pack *p, const char *event, const char *lang, const json_t *params, char **subject,
                   char **body)
{
    const json_t *t = p && p->notifications ? json_object_get(json_object_get(p->notifications, "events"), event) : NULL;
    const json_t *s = json_object_get(json_object_get(t, "subject"), lang);
    const json_t *b = json_object_get(json_object_get(t, "body"), lang);
    *subject = fill(s ? json_string_value(s) : event, lang, params);
    *body = fill(b ? json_string_value(b) : "{link}", lang, params);
}

static json_t *rendered(const struct pack *p, const char *event, const json_t *params)
{
    json_t *sub = json_object(), *body = json_object();
    static const char *const langs[] = {"zh", "en"};
    for (int i = 0; i < 2; i++) {
        char *s, *b;
        notify_render(p, event, langs[i], params, &s, &b);
        json_object_set_new(sub, langs[i], json_string(s ? s : ""));
        json_object_set_new(body, langs[i], json_string(b ? b : ""));
        free(s);
        free(b);
    }
    return json_pack("{s:o s:o}", "subject", sub, "body", body);
}

/* ---- the inbox and the e-mail choice ------------------------------------------------------------ */

json_t *notify_inbox(struct app *a, const struct principal *who, struct err *e)
{
    (void)e;
    int64_t unread = 0;
    json_t *rows = store_inbox_list(store_reader(a->store), who->user_id, 200, &unread);
    if (!rows) rows = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        json_t *params = json_object_get(r, "params");
        json_t *text = rendered(a->pack, jstr(r, "event"), params);
        json_object_update(r, text);
        json_decref(text);
        json_object_set_new(r, "read", json_boolean(!json_is_null(json_object_get(r, "read_at"))));
    }
    return json_pack("{s:o s:I}", "items", rows, "unread", (json_int_t)unread);
}

struct read_job { int64_t user_id, id; };

static int read_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct read_job *j = arg;
    return j->id ? store_inbox_read(c, j->user_id, j->id, e) : store_inbox_read_all(c, j->user_id, e);
}

int notify_inbox_read(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    if (id <= 0) return err_set(e, ERR_NOT_FOUND, NULL, "no such inbox item", "消息不存在");
    struct read_job j = {who->user_id, id};
    return store_write(a->store, read_fn, &j, e);
}

int notify_inbox_read_all(struct app *a, const struct principal *who, struct err *e)
{
    struct read_job j = {who->user_id, 0};
    return store_write(a->store, read_fn, &j, e);
}

json_t *notify_prefs_get(struct app *a, const struct principal *who, struct err *e)
{
    (void)e;
    json_t *p = store_notify_prefs_get(store_reader(a->store), who->user_id);
    json_object_set_new(p, "events", notify_event_names());
    return p;
}

struct prefs_job { int64_t user_id; const char *email, *lang; const json_t *events; };

static int prefs_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct prefs_job *j = arg;
    return store_notify_prefs_put(c, j->user_id, j->email, j->lang, j->events, e);
}

json_t *notify_prefs_put(struct app *a, const struct principal *who, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"email", "lang", "email_events", NULL};
    struct prefs_job j = {.user_id = who->user_id};
    if (input_known_keys(in, keys, e) || input_text(in, "email", false, 254, &j.email, e) ||
        input_text(in, "lang", false, 2, &j.lang, e))
        return NULL;
    if (j.email && *j.email && (!strchr(j.email, '@') || strpbrk(j.email, " \t\r\n<>,;\"")))
        return err_set(e, ERR_VALIDATION, "/email", "not an e-mail address", "不是有效的电子邮件地址"), NULL;
    if (j.email && !*j.email) j.email = NULL;
    if (!j.lang) j.lang = "zh";
    if (strcmp(j.lang, "zh") != 0 && strcmp(j.lang, "en") != 0)
        return err_set(e, ERR_VALIDATION, "/lang", "lang is zh or en", "lang 须为 zh 或 en"), NULL;
    json_t *events = json_object_get(in, "email_events");
    if (events && (!json_is_array(events) || json_array_size(events) > 64))
        return err_set(e, ERR_VALIDATION, "/email_events", "email_events is a list of event names",
                       "email_events 须为事件名称列表"), NULL;
    size_t i;
    json_t *v;
    json_array_foreach(events, i, v) {
        const char *s = json_string_value(v);
        if (!s || (strcmp(s, "*") != 0 && !notify_event_known(s)))
            return err_set(e, ERR_VALIDATION, "/email_events", "%s is not an event", "%s 不是事件名称", s ? s : "?"),
                   NULL;
    }
    json_t *empty = json_array();
    j.events = events ? events : empty;
    int rc = store_write(a->store, prefs_fn, &j, e);
    json_decref(empty);
    return rc ? NULL : notify_prefs_get(a, who, e);
}
