/* api_filings.c — endpoints of business systems and filings: thin adapters from HTTP to the
 * use cases of service/filings.h (no rule lives here). */
#include "http/api.h"
#include "http/query.h"
#include "http/reply_cache.h"
#include "service/app.h"
#include "service/filings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int with_body(struct http_req *r, json_t **in, struct err *e)
{
    return http_body_json(r, in, false, e);
}

int api_systems_list(struct http_req *r)
{
    return reply_json(r, 200, json_pack("{s:o}", "items", system_list(r->app, r->who)));
}

int api_systems_create(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (with_body(r, &in, &e) != 0) return api_reply(r, 0, NULL, &e);
    int64_t id = system_create(r->app, r->who, in, &e);
    json_decref(in);
    if (id < 0) return api_reply(r, 0, NULL, &e);
    return api_reply(r, 201, system_get(r->app, r->who, id, &e), &e);
}

int api_systems_get(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, system_get(r->app, r->who, api_param_id(r, 0), &e), &e);
}

/* The register's page: filters and page of the list (query.h); a page holds at most 200. */
int api_filings_list(struct http_req *r)
{
    struct err e = {0};
    int limit;
    int64_t cursor, system_id;
    struct filing_query q = {0};
    if (query_page(r, 50, &limit, &cursor, &e) || query_id(r, "system_id", &system_id, &e) ||
        query_state(r, &q.state, &e) || query_region(r, &q.region, &e) || query_filing_type(r, &q.type, &e) ||
        query_text(r, "q", QUERY_TEXT_MAX, &q.q, &e))
        return api_reply(r, 0, NULL, &e);
    q.system_id = system_id;
    q.limit = limit > 200 ? 200 : limit;
    q.after_id = cursor;
    return api_reply(r, 200, filing_list(r->app, r->who, &q, &e), &e);
}

int api_filings_create(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (with_body(r, &in, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *f = filing_create(r->app, r->who, in, &e);
    json_decref(in);
    if (f) reply_header(r, "ETag", json_string_value(json_object_get(f, "etag")));
    return api_reply(r, 201, f, &e);
}


/* A filing view whose stored JSON members are still text (filing_get_raw): spliced, not re-serialised. */
static int reply_filing_raw(struct http_req *r, json_t *f, struct err *e)
{
    if (!f) return api_reply(r, 0, NULL, e);
    reply_header(r, "ETag", json_string_value(json_object_get(f, "etag")));
    return reply_json_spliced(r, 200, f, FILING_RAW_MEMBERS);
}

/* A filing as its caller sees it; the reply is kept per thread and sent again while the caller,
 * the day and the whole database are as they were (reply_cache.h). The token was checked before. */
int api_filings_get(struct http_req *r)
{
    struct err e = {0};
    int64_t id = api_param_id(r, 0);
    uint64_t generation[2];
    struct reply_cache_key key;
    bool cacheable = app_read_generation(r->app, generation) &&
                     reply_cache_key_make(&key, "filing", id, r->who, generation);
    const char *body, *etag;
    size_t len;
    if (cacheable && reply_cache_get(&key, &body, &len, &etag)) {
        reply_header(r, "ETag", etag);
        return reply_bytes(r, 200, "application/json; charset=utf-8", body, len);
    }
    json_t *f = filing_get_raw(r->app, r->who, id, &e);
    char own_etag[96] = "";
    if (f) snprintf(own_etag, sizeof own_etag, "%s", json_string_value(json_object_get(f, "etag")));
    reply_filing_raw(r, f, &e);
    if (cacheable && f && r->status == 200 && r->reply_body)
        reply_cache_put(&key, r->reply_body, r->reply_len, own_etag);
    return 0;
}

int api_filings_put_document(struct http_req *r)
{
    struct err e = {0};
    json_t *doc = NULL;
    if (http_body_json(r, &doc, true, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *f = filing_put_document(r->app, r->who, api_param_id(r, 0), doc, http_if_match(r), &e);
    json_decref(doc);
    return reply_filing_raw(r, f, &e);
}

int api_filings_patch_document(struct http_req *r)
{
    struct err e = {0};
    json_t *patch = NULL;
    if (http_body_json(r, &patch, true, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *f = filing_patch_document(r->app, r->who, api_param_id(r, 0), patch, http_if_match(r), &e);
    json_decref(patch);
    return reply_filing_raw(r, f, &e);
}

int api_filings_action(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (r->body_len > 0 && http_body_json(r, &in, false, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = filing_act(r->app, r->who, api_param_id(r, 0), r->params[1], in, &e);
    json_decref(in);
    return api_reply(r, 200, out, &e);
}

int api_filings_versions(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, filing_versions(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_filings_version(struct http_req *r)
{
    struct err e = {0};
    int64_t n = api_param_id(r, 1);
    if (n <= 0 || n > 1000000) {
        err_set(&e, ERR_NOT_FOUND, NULL, "no such version", "版本不存在");
        return api_reply(r, 0, NULL, &e);
    }
    return api_reply(r, 200, filing_version(r->app, r->who, api_param_id(r, 0), (int)n, &e), &e);
}

int api_filings_diff(struct http_req *r)
{
    struct err e = {0};
    int64_t from, to;
    /* ?from=N, and optionally &to=M (without it: the current document) */
    if (query_int(r, "from", 1, 1000000, 0, &from, &e) || query_int(r, "to", 1, 1000000, 0, &to, &e))
        return api_reply(r, 0, NULL, &e);
    if (from == 0) {
        err_set(&e, ERR_BAD_QUERY, "from", "give ?from=N (and optionally &to=M; without it, the current document)",
                "请提供 ?from=N（可选 &to=M，缺省为当前文档）");
        return api_reply(r, 0, NULL, &e);
    }
    return api_reply(r, 200, filing_diff(r->app, r->who, api_param_id(r, 0), (int)from, (int)to, &e), &e);
}

int api_filings_rectifications(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, filing_rectifications(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_filings_answer(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (with_body(r, &in, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = filing_answer_item(r->app, r->who, api_param_id(r, 0), api_param_id(r, 1), api_param_id(r, 2), in, &e);
    json_decref(in);
    return api_reply(r, 200, out, &e);
}

int api_filings_events(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, filing_events(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_filings_overrides(struct http_req *r)
{
    struct err e = {0};
    return api_reply(r, 200, filing_overrides(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_filings_override_request(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (with_body(r, &in, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = filing_override_request(r->app, r->who, api_param_id(r, 0), in, &e);
    json_decref(in);
    return api_reply(r, 201, out, &e);
}

int api_filings_override_decide(struct http_req *r)
{
    struct err e = {0};
    json_t *in = NULL;
    if (with_body(r, &in, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *out = filing_override_decide(r->app, r->who, api_param_id(r, 0), api_param_id(r, 1), in, &e);
    json_decref(in);
    return api_reply(r, 200, out, &e);
}
