/* api_incidents.c — endpoints of security incidents on filed records: thin adapters to
 * service/incidents.h (no rule lives here). */
#include "http/api.h"
#include "service/app.h"
#include "service/incidents.h"

/* A write with a JSON body: parse it, run fn, reply with status or the error. */
static int with_body(struct http_req *r, int status,
                     json_t *(*fn)(struct app *, const struct principal *, int64_t, const json_t *, struct err *))
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = fn(r->app, r->who, api_param_id(r, 0), in, &e);
    json_decref(in);
    return api_reply(r, status, out, &e);
}

int api_incidents_report(struct http_req *r) { return with_body(r, 201, incident_report); }
int api_incidents_update(struct http_req *r) { return with_body(r, 201, incident_add_update); }
int api_incidents_close(struct http_req *r) { return with_body(r, 200, incident_close); }
int api_incidents_order_inspection(struct http_req *r) { return with_body(r, 200, incident_order_inspection); }

int api_incidents_list(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200,
                     incident_list(r->app, r->who, http_query(r, "state"), http_query(r, "late"),
                                   http_query(r, "overdue"), http_query(r, "filing_id"), &e),
                     &e);
}

int api_incidents_get(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, incident_get(r->app, r->who, api_param_id(r, 0), &e), &e);
}
