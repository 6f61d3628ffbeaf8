/* reply.c — request accessors, the JSON body reader and the reply_* family.
 *
 * A reply only records status, body, content type and headers in the request; server.c turns
 * them into an MHD response once the handler returns. Exactly one reply_* call counts: a second
 * one is a bug in the handler (assert in debug builds, ignored otherwise). Reply bodies are
 * malloc'd because the server hands them to MHD, which frees them with free() — this holds for
 * json_dumps() output too as long as nobody calls json_set_alloc_funcs(). */
#include "http/http.h"
#include "core/json_read.h"
#include "core/json_out.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JSON_MAX_DEPTH 32

const char *http_header(struct http_req *r, const char *name)
{
    if (!r || !r->conn || !name) return NULL;
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_query(struct http_req *r, const char *name)
{
    if (!r || !r->conn || !name) return NULL;
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(struct http_req *r, const char *name)
{
    if (!r || !r->conn || !name) return NULL;
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* application/json, application/<anything>+json (merge-patch+json, problem+json), with or
 * without parameters such as charset. */
static bool is_json_media_type(const char *content_type)
{
    if (!content_type) return false;
    while (*content_type == ' ' || *content_type == '\t') content_type++;
    size_t len = strcspn(content_type, ";");
    while (len && (content_type[len - 1] == ' ' || content_type[len - 1] == '\t')) len--;
    static const char prefix[] = "application/";
    const size_t plen = sizeof prefix - 1;
    if (len <= plen || strncasecmp(content_type, prefix, plen) != 0) return false;
    const char *subtype = content_type + plen;
    size_t slen = len - plen;
    if (slen == 4 && strncasecmp(subtype, "json", 4) == 0) return true;
    return slen > 5 && strncasecmp(subtype + slen - 5, "+json", 5) == 0;
}

/* Jansson's message quotes the input near the error; keep it printable ASCII so the problem
 * document stays valid UTF-8 whatever the client sent. */
static void ascii_only(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) *s = '?';
}

int http_body_json(struct http_req *r, json_t **out, bool allow_any, struct err *e)
{
    *out = NULL;
    if (!r->body || r->body_len == 0)
        return err_set(e, ERR_BAD_REQUEST, NULL, "the request body is empty; a JSON document is required",
                       "请求内容为空，需要 JSON 文档");
    if (!is_json_media_type(http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE)))
        return err_set(e, ERR_UNSUPPORTED_MEDIA, NULL, "Content-Type must be application/json",
                       "Content-Type 必须为 application/json");
    json_error_t jerr;
    bool too_deep;
    json_t *doc = json_read_bounded(r->body, r->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, JSON_MAX_DEPTH,
                                    &too_deep, &jerr);
    if (too_deep)
        return err_set(e, ERR_BAD_REQUEST, NULL, "JSON nesting deeper than %d", "JSON 嵌套层数超过 %d",
                       JSON_MAX_DEPTH);
    if (!doc) {
        ascii_only(jerr.text);
        err_set(e, ERR_MALFORMED_JSON, NULL, "JSON syntax error at line %d, column %d: %s",
                "JSON 语法错误：第 %d 行第 %d 列：%s", jerr.line, jerr.column, jerr.text);
        err_extra(e, "line", json_integer(jerr.line));
        err_extra(e, "column", json_integer(jerr.column));
        return -1;
    }
    if (!allow_any && !json_is_object(doc)) {
        json_decref(doc);
        return err_set(e, ERR_VALIDATION, "", "the request body must be a JSON object",
                       "请求内容必须是 JSON 对象");
    }
    *out = doc;
    return 0;
}

/* Claim the single reply slot; false when the handler already replied. */
static bool reply_begin(struct http_req *r)
{
    assert(!r->replied && "a handler replied twice");
    if (r->replied) return false;
    r->replied = true;
    return true;
}

static void reply_set(struct http_req *r, int status, const char *type, char *body, size_t len)
{
    r->status = status;
    r->reply_type = type;
    r->reply_body = body;
    r->reply_len = len;
}

int reply_problem(struct http_req *r, const struct err *e)
{
    if (!reply_begin(r)) return 0;
    json_t *doc = err_problem_json(e, r->lang);
    json_object_set_new(doc, "request_id", json_string(r->request_id));
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    int status = err_info(e->code)->http_status;
    if (!text) {
        static const char fallback[] = "{\"status\":500,\"code\":\"internal\"}";
        text = strdup(fallback);
        status = 500;
    }
    reply_set(r, status, "application/problem+json", text, text ? strlen(text) : 0);
    return 0;
}

/* A 201's "id" member, for its Location (reply_finish.c). */
static void note_created(struct http_req *r, int status, const json_t *body)
{
    if (status != 201) return;
    const json_t *id = json_object_get(body, "id");
    if (json_is_integer(id))
        snprintf(r->created_id, sizeof r->created_id, "%lld", (long long)json_integer_value(id));
    else if (json_is_string(id) && strspn(json_string_value(id), "0123456789abcdefghijklmnopqrstuvwxyz"
                                                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.~") == json_string_length(id))
        snprintf(r->created_id, sizeof r->created_id, "%s", json_string_value(id));
}

int reply_json(struct http_req *r, int status, json_t *body)
{
    if (r->replied) {
        assert(!"a handler replied twice");
        json_decref(body);
        return 0;
    }
    note_created(r, status, body);
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return reply_error(r, ERR_INTERNAL, "could not serialise the response", "无法序列化响应");
    reply_begin(r);
    reply_set(r, status, "application/json; charset=utf-8", text, strlen(text));
    return 0;
}

static bool is_raw_member(const char *key, const json_t *value, const char *const raw_members[])
{
    if (!json_is_string(value)) return false;
    for (int i = 0; raw_members[i]; i++)
        if (strcmp(key, raw_members[i]) == 0) return true;
    return false;
}

int reply_json_spliced(struct http_req *r, int status, json_t *body, const char *const raw_members[])
{
    if (r->replied) {
        assert(!"a handler replied twice");
        json_decref(body);
        return 0;
    }
    if (!json_is_object(body)) return reply_json(r, status, body);
    note_created(r, status, body);
    size_t extra = 0;
    for (int i = 0; raw_members[i]; i++) {
        const json_t *raw = json_object_get(body, raw_members[i]);
        if (json_is_string(raw)) extra += strlen(raw_members[i]) + json_string_length(raw) + 4;
    }
    /* everything but the raw members as json_dumps would write it, then the raw members' text,
     * written once into one buffer */
    struct json_out o;
    json_out_init(&o, extra + 4096);
    json_out_raw(&o, "{", 1);
    bool first = true;
    const char *key;
    json_t *value;
    json_object_foreach(body, key, value) {
        if (is_raw_member(key, value, raw_members)) continue;
        if (!first) json_out_raw(&o, ",", 1);
        first = false;
        json_out_string(&o, key, strlen(key));
        json_out_raw(&o, ":", 1);
        json_out_value(&o, value);
    }
    for (int i = 0; raw_members[i]; i++) {
        const json_t *raw = json_object_get(body, raw_members[i]);
        if (!json_is_string(raw)) continue;
        if (!first) json_out_raw(&o, ",", 1);
        first = false;
        json_out_string(&o, raw_members[i], strlen(raw_members[i]));
        json_out_raw(&o, ":", 1);
        json_out_raw(&o, json_string_value(raw), json_string_length(raw));
    }
    json_out_raw(&o, "}", 1);
    json_decref(body);
    size_t len;
    char *text = json_out_take(&o, &len);
    if (!text) return reply_error(r, ERR_INTERNAL, "could not serialise the response", "无法序列化响应");
    reply_begin(r);
    reply_set(r, status, "application/json; charset=utf-8", text, len);
    return 0;
}

int reply_error(struct http_req *r, enum err_code code, const char *en, const char *zh)
{
    struct err e = {.code = code};
    snprintf(e.detail_en, sizeof e.detail_en, "%s", en ? en : "");
    snprintf(e.detail_zh, sizeof e.detail_zh, "%s", zh ? zh : "");
    return reply_problem(r, &e);
}

int reply_bytes(struct http_req *r, int status, const char *content_type, const void *data, size_t len)
{
    if (r->replied) { assert(!"a handler replied twice"); return 0; }
    char *copy = malloc(len ? len : 1);
    if (!copy) return reply_error(r, ERR_INTERNAL, "out of memory", "内存不足");
    if (len) memcpy(copy, data, len);
    reply_begin(r);
    reply_set(r, status, content_type, copy, len);
    return 0;
}

int reply_empty(struct http_req *r, int status)
{
    if (!reply_begin(r)) return 0;
    reply_set(r, status, NULL, NULL, 0);
    return 0;
}

void reply_header(struct http_req *r, const char *name, const char *value)
{
    if (!name || !value) return;
    /* A CR or LF would let a value (which may carry client data, e.g. a file name) smuggle in
     * another header; such a header is dropped, never sent. MHD would refuse it too. */
    if (strpbrk(name, "\r\n: ") || strpbrk(value, "\r\n")) return;
    struct http_hdr *h = calloc(1, sizeof *h);
    if (!h) return;
    h->name = strdup(name);
    h->value = strdup(value);
    if (!h->name || !h->value) { free(h->name); free(h->value); free(h); return; }
    struct http_hdr **tail = &r->reply_headers;
    while (*tail) tail = &(*tail)->next;
    *tail = h;
}
