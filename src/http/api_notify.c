/* api_notify.c — the HTTP face of notifications: each user's inbox (GET, mark read), the caller's
 * e-mail choice, and the organisation's webhooks (register, list, delete, delivery log, redeliver). */
#include "http/api_notify.h"
#include "http/api.h"
#include "service/app.h"
#include "service/notify.h"
#include "service/webhooks.h"

int api_inbox_list(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, notify_inbox(r->app, r->who, &e), &e);
}

int api_inbox_read(struct http_req *r)
{
    struct err e = {0};
    if (notify_inbox_read(r->app, r->who, api_param_id(r, 0), &e) != 0) return api_reply(r, 0, NULL, &e);
    return api_reply(r, 200, notify_inbox(r->app, r->who, &e), &e);
}

int api_inbox_read_all(struct http_req *r)
{
    struct err e = {0};
    if (notify_inbox_read_all(r->app, r->who, &e) != 0) return api_reply(r, 0, NULL, &e);
    return api_reply(r, 200, notify_inbox(r->app, r->who, &e), &e);
}

int api_me_notifications_get(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, notify_prefs_get(r->app, r->who, &e), &e);
}

int api_me_notifications_put(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = notify_prefs_put(r->app, r->who, in, &e);
    json_decref(in);
    return api_reply(r, 200, out, &e);
}

int api_webhooks_list(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, webhook_list(r->app, r->who, &e), &e);
}

int api_webhooks_create(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = webhook_create(r->app, r->who, in, &e);
    json_decref(in);
    return api_reply(r, 201, out, &e);
}

int api_webhooks_delete(struct http_req *r)
{
    struct err e = {0};
    if (webhook_delete(r->app, r->who, api_param_id(r, 0), &e) != 0) return api_reply(r, 0, NULL, &e);
    return reply_empty(r, 204);
}

int api_webhooks_deliveries(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, webhook_deliveries(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_webhooks_redeliver(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 202, webhook_redeliver(r->app, r->who, api_param_id(r, 0), api_param_id(r, 1), &e), &e);
}
