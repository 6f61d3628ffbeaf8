/* api_filings.c — endpoints of business systems and filings: thin adapters from HTTP to the
 * use cases of service/filings.h (no rule lives here). */
#include "http/api.h"
#include "service/app.h"
#include "service/filings.h"

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

static int parse_int_query(struct http_req *r, const char *name, int64_t *out, struct err *e)
{
    const char *s = http_query(r, name);
    *out = 0;
    if (!s || !*s) return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0)
        return err_set(e, ERR_BAD_REQUEST, name, "query parameter %s must be a non-negative integer",
                       "查询参数 %s 必须是非负整数", name);
    *out = v;
    return 0;
}

int api_filings_list(struct http_req *r)
{
    struct err e = {0};
    int64_t limit, cursor, system_id;
    if (parse_int_query(r, "limit", &limit, &e) || parse_int_query(r, "cursor", &cursor, &e) ||
        parse_int_query(r, "system_id", &system_id, &e))
        return api_reply(r, 0, NULL, &e);
    struct filing_query q = {
        .state = http_query(r, "state"), .region = http_query(r, "region"), .type = http_query(r, "type"),
        .q = http_query(r, "q"), .system_id = system_id, .limit = (int)(limit > 200 ? 200 : limit),
        .after_id = cursor,
    };
    if (q.region && *q.region) {
        size_t n = strlen(q.region);
        bool digits = n == 6;
        for (size_t i = 0; digits && i < n; i++) digits = q.region[i] >= '0' && q.region[i] <= '9';
        if (!digits) {
            err_set(&e, ERR_BAD_REQUEST, "region", "region must be a 6-digit code", "region 必须是6位行政区划代码");
            return api_reply(r, 0, NULL, &e);
        }
    }
    if (q.q && strlen(q.q) > 200) {
        err_set(&e, ERR_BAD_REQUEST, "q", "the search text is at most 200 bytes", "搜索内容最长200字节");
        return api_reply(r, 0, NULL, &e);
    }
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

int api_filings_get(struct http_req *r)
{
    struct err e = {0};
    return reply_filing_raw(r, filing_get_raw(r->app, r->who, api_param_id(r, 0), &e), &e);
}

int api_filings_put_document(struct http_req *r)
{
    struct err e = {0};
    json_t *doc = NULL;
    if (http_body_json(r, &doc, true, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *f = filing_put_document(r->app, r->who, api_param_id(r, 0), doc, http_header(r, "If-Match"), &e);
    json_decref(doc);
    return reply_filing_raw(r, f, &e);
}

int api_filings_patch_document(struct http_req *r)
{
    struct err e = {0};
    json_t *patch = NULL;
    if (http_body_json(r, &patch, true, &e) != 0) return api_reply(r, 0, NULL, &e);
    json_t *f = filing_patch_document(r->app, r->who, api_param_id(r, 0), patch, http_header(r, "If-Match"), &e);
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
    if (parse_int_query(r, "from", &from, &e) || parse_int_query(r, "to", &to, &e))
        return api_reply(r, 0, NULL, &e);
    if (from <= 0 || from > 1000000 || to > 1000000) {
        err_set(&e, ERR_BAD_REQUEST, "from", "give ?from=N (and optionally &to=M; without it, the current document)",
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
