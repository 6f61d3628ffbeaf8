/* api_incidents.c — endpoints of security incidents on filed records: thin adapters to
 * service/incidents.h (no rule lives here). */
#include "http/api.h"
#include "http/query.h"
#include "service/app.h"
#include "service/incidents.h"

#include <stdio.h>

/* A write with a JSON body: parse it, run fn, reply with status or the error. */
static int with_body(struct http_req *r, int status,
                     json_t *(*fn)(struct app *, const struct principal *, int64_t, const json_t *, struct err *))
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = fn(r->app, r->who, api_param_id(r, 0), in, &e);
    json_decref(in);
    if (out && status == 201)   /* a report or an update: the incident it is part of */
        reply_location(r, "/api/v1/incidents/%lld", (long long)json_integer_value(json_object_get(out, "id")));
    return api_reply(r, status, out, &e);
}

int api_incidents_report(struct http_req *r) { return with_body(r, 201, incident_report); }
int api_incidents_update(struct http_req *r) { return with_body(r, 201, incident_add_update); }
int api_incidents_close(struct http_req *r) { return with_body(r, 200, incident_close); }
int api_incidents_order_inspection(struct http_req *r) { return with_body(r, 200, incident_order_inspection); }

int api_incidents_list(struct http_req *r)
{
    struct err e = {0};
    static const char *const states[] = {"open", "closed", NULL};
    const char *state;
    bool late, overdue;
    int64_t filing_id;
    if (query_state(r, &state, &e) || query_enum(r, "state", states, &state, &e) || query_bool(r, "late", &late, &e) ||
        query_bool(r, "overdue", &overdue, &e) || query_id(r, "filing_id", &filing_id, &e))
        return api_reply(r, 0, NULL, &e);
    char fid[24] = "";
    if (filing_id) snprintf(fid, sizeof fid, "%lld", (long long)filing_id);
    return api_reply(r, 200,
                     incident_list(r->app, r->who, state, late ? "true" : NULL, overdue ? "true" : NULL,
                                   fid[0] ? fid : NULL, &e),
                     &e);
}

int api_incidents_get(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, incident_get(r->app, r->who, api_param_id(r, 0), &e), &e);
}
