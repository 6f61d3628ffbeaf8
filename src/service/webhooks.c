/* webhooks.c — an organisation's webhook endpoints: registered, listed and removed by its
 * administrator (org_admin, authority_admin), each with a secret shown once; the delivery log of
 * an endpoint and the manual redelivery of one delivery (same webhook-id). Another organisation's
 * endpoints are not found (404). */
#include "service/webhooks.h"
#include "service/app_internal.h"
#include "service/audit.h"
#include "service/auth.h"
#include "service/input.h"
#include "service/notify.h"
#include "core/clock.h"
#include "core/workflow.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int64_t jint(const json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static int may_manage(const struct principal *who, struct err *e)
{
    if (who->roles & (ROLE_ORG_ADMIN | ROLE_AUTHORITY_ADMIN)) return 0;
    return err_set(e, ERR_FORBIDDEN, NULL, "only the organisation's administrator manages its webhooks",
                   "只有本单位管理员可以管理 Webhook");
}

struct create_job {
    const struct principal *who;
    const char *url, *description;
    const json_t *events;
    char secret[64];
    int64_t id;
};

static int create_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct create_job *j = arg;
    j->id = store_webhook_insert(c, j->who->org_id, j->url, j->events, j->secret, j->description, j->who->user_id, e);
    if (j->id < 0) return -1;
    json_t *d = json_pack("{s:s s:O}", "url", j->url, "events", j->events);
    int rc = audit_record(c, j->who, "webhook.create", "webhook", j->id, 0, j->who->org_id, NULL, NULL, d, e);
    json_decref(d);
    return rc;
}

json_t *webhook_create(struct app *a, const struct principal *who, const json_t *in, struct err *e)
{
    static const char *const keys[] = {"url", "events", "description", NULL};
    struct create_job j = {.who = who};
    if (may_manage(who, e) || input_known_keys(in, keys, e) || input_text(in, "url", true, 2000, &j.url, e) ||
        input_text(in, "description", false, 200, &j.description, e))
        return NULL;
    j.events = json_object_get(in, "events");
    if (!json_is_array(j.events) || json_array_size(j.events) == 0 || json_array_size(j.events) > 64)
        return err_set(e, ERR_VALIDATION, "/events", "events lists 1 to 64 event names (or \"*\")",
                       "events 须列出1至64个事件名称（或 \"*\"）"), NULL;
    size_t i;
    json_t *v;
    json_array_foreach(j.events, i, v) {
        const char *s = json_string_value(v);
        if (!s || (strcmp(s, "*") != 0 && !notify_event_known(s)))
            return err_set(e, ERR_VALIDATION, "/events", "%s is not an event", "%s 不是事件名称", s ? s : "?"), NULL;
    }
    char host[256], pin[512];
    int port;
    if (webhook_target_check(j.url, host, sizeof host, &port, pin, sizeof pin, e) != 0) return NULL;
    unsigned char key[24];
    randombytes_buf(key, sizeof key);
    memcpy(j.secret, "whsec_", 6);
    sodium_bin2base64(j.secret + 6, sizeof j.secret - 6, key, sizeof key, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(key, sizeof key);
    if (store_write(a->store, create_fn, &j, e) != 0) return NULL;
    json_t *out = store_webhook_get(store_reader(a->store), j.id);
    sodium_memzero(j.secret, sizeof j.secret);
    return out;   /* with its secret, this once */
}

json_t *webhook_list(struct app *a, const struct principal *who, struct err *e)
{
    if (may_manage(who, e)) return NULL;
    json_t *rows = store_webhook_list(store_reader(a->store), who->org_id);
    return json_pack("{s:o s:o}", "items", rows ? rows : json_array(), "events", notify_event_names());
}

/* The endpoint if it is the caller's organisation's (secret removed), else 404. */
static json_t *own(struct store_conn *c, const struct principal *who, int64_t id, struct err *e)
{
    json_t *h = id > 0 ? store_webhook_get(c, id) : NULL;
    if (!h || jint(h, "org_id") != who->org_id) {
        json_decref(h);
        return err_set(e, ERR_NOT_FOUND, NULL, "no such webhook", "Webhook 不存在"), NULL;
    }
    json_object_del(h, "secret");
    return h;
}

struct del_job { const struct principal *who; int64_t id; };

static int delete_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct del_job *j = arg;
    json_t *h = own(c, j->who, j->id, e);
    if (!h) return -1;
    json_decref(h);
    if (store_webhook_delete(c, j->id, e) != 0) return -1;
    return audit_record(c, j->who, "webhook.delete", "webhook", j->id, 0, j->who->org_id, NULL, NULL, NULL, e);
}

int webhook_delete(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    if (may_manage(who, e)) return -1;
    struct del_job j = {who, id};
    return store_write(a->store, delete_fn, &j, e);
}

json_t *webhook_deliveries(struct app *a, const struct principal *who, int64_t id, struct err *e)
{
    if (may_manage(who, e)) return NULL;
    struct store_conn *c = store_reader(a->store);
    json_t *h = own(c, who, id, e);
    if (!h) return NULL;
    json_decref(h);
    json_t *rows = store_outbox_list(c, "webhook", id, 200);
    return json_pack("{s:o}", "items", rows ? rows : json_array());
}

struct redeliver_job { const struct principal *who; int64_t id, did; };

static int redeliver_fn(struct store_conn *c, void *arg, struct err *e)
{
    struct redeliver_job *j = arg;
    json_t *h = own(c, j->who, j->id, e);
    if (!h) return -1;
    json_decref(h);
    json_t *d = store_outbox_get(c, j->did);
    bool mine = d && strcmp(json_string_value(json_object_get(d, "channel")), "webhook") == 0 &&
                jint(d, "target_id") == j->id;
    json_decref(d);
    if (!mine) return err_set(e, ERR_NOT_FOUND, NULL, "no such delivery", "投递记录不存在");
    if (store_outbox_redeliver(c, j->did, (int64_t)clock_now(), e) != 0) return -1;
    json_t *detail = json_pack("{s:I}", "delivery_id", (json_int_t)j->did);
    int rc = audit_record(c, j->who, "webhook.redeliver", "webhook", j->id, 0, j->who->org_id, NULL, NULL, detail, e);
    json_decref(detail);
    return rc;
}

json_t *webhook_redeliver(struct app *a, const struct principal *who, int64_t id, int64_t delivery_id, struct err *e)
{
    if (may_manage(who, e)) return NULL;
    struct redeliver_job j = {who, id, delivery_id};
    if (store_write(a->store, redeliver_fn, &j, e) != 0) return NULL;
    json_t *d = store_outbox_get(store_reader(a->store), delivery_id);
    return d;
}
