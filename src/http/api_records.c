/* api_records.c — HTTP handlers of the self-inspection reports, the standing findings of filed
 * records and the supervision list (service/inspections.h, service/standing.h, service/supervision.h). */
#include "http/api_records.h"
#include "http/api.h"
#include "http/query.h"
#include "service/evidence.h"
#include "service/inspections.h"
#include "service/standing.h"
#include "service/supervision.h"

#include <stdlib.h>

static int reply_report(struct http_req *r, int status, json_t *v, struct err *e)
{
    if (v) reply_header(r, "ETag", json_string_value(json_object_get(v, "etag")));
    if (v && status == 201)   /* a report started under a filing lives at /inspections/{id} */
        reply_location(r, "/api/v1/inspections/%lld", (long long)json_integer_value(json_object_get(v, "id")));
    return api_reply(r, status, v, e);
}

int api_inspections_list(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, inspection_list(r->app, r->who, 0, &e), &e);
}

int api_inspections_get(struct http_req *r)
{
    struct err e = {0};
    return reply_report(r, 200, inspection_get(r->app, r->who, api_param_id(r, 0), &e), &e);
}

static int save(struct http_req *r, bool patch)
{
    struct err e = {0};
    json_t *body = NULL;
    if (http_body_json(r, &body, true, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *v = inspection_save(r->app, r->who, api_param_id(r, 0), body, patch, http_if_match(r), &e);
    json_decref(body);
    return reply_report(r, 200, v, &e);
}

int api_inspections_put_document(struct http_req *r) { return save(r, false); }
int api_inspections_patch_document(struct http_req *r) { return save(r, true); }

int api_inspections_action(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (r->body_len > 0 && http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *v = inspection_act(r->app, r->who, api_param_id(r, 0), r->params[1], in, &e);
    json_decref(in);
    return reply_report(r, 200, v, &e);
}

int api_filings_inspections_list(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, inspection_list(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_filings_inspections_start(struct http_req *r)
{
    struct err e = {0};
    return reply_report(r, 201, inspection_start(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_filings_inspections_order(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *v = inspection_order(r->app, r->who, api_param_id(r, 0), in, &e);
    json_decref(in);
    return reply_report(r, 201, v, &e);
}

int api_filings_standing(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, standing_of(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_filings_evidence_list(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, evidence_list(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_filings_evidence_add(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *v = evidence_add(r->app, r->who, api_param_id(r, 0), in, &e);
    json_decref(in);
    return api_reply(r, 201, v, &e);
}

int api_supervision(struct http_req *r)
{
    struct err e = {0};
    bool overdue;
    if (query_bool(r, "overdue", &overdue, &e) != 0) return api_reply(r, 0, NULL, &e);
    return api_reply(r, 200, supervision_list(r->app, r->who, overdue ? "true" : NULL, &e), &e);
}
