/* api_drafts.c — endpoints of drafts kept on the server: a reviewer's rectification request in
 * preparation (GET/PUT/DELETE /filings/{id}/rectification-draft). Thin adapters to
 * service/review_drafts.h. */
#include "http/api.h"
#include "service/app.h"
#include "service/review_drafts.h"

int api_filings_rect_draft_get(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, review_draft_get(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_filings_rect_draft_put(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = review_draft_put(r->app, r->who, api_param_id(r, 0), in, &e);
    json_decref(in);
    return api_reply(r, 200, out, &e);
}

int api_filings_rect_draft_delete(struct http_req *r)
{
    struct err e = {0};
    if (review_draft_delete(r->app, r->who, api_param_id(r, 0), &e) != 0) return api_reply(r, 0, NULL, &e);
    return reply_empty(r, 204);
}
