/* err.c — the error table and helpers behind err.h. */
#include "err.h"

#include <stdio.h>
#include <string.h>

static const struct err_info INFO[ERR__COUNT] = {
    [ERR_NONE] = {"ok", 200, "OK", "成功"},
    [ERR_BAD_REQUEST] = {"bad_request", 400, "Bad request", "请求无效"},
    [ERR_MALFORMED_JSON] = {"malformed_json", 400, "Malformed JSON", "JSON 格式错误"},
    [ERR_UNAUTHENTICATED] = {"unauthenticated", 401, "Authentication required", "需要登录"},
    [ERR_FORBIDDEN] = {"forbidden", 403, "Not permitted", "无权操作"},
    [ERR_NOT_FOUND] = {"not_found", 404, "Not found", "未找到"},
    [ERR_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405, "Method not allowed", "不支持该请求方法"},
    [ERR_CONFLICT] = {"conflict", 409, "Not allowed in the current state", "当前状态下不允许该操作"},
    [ERR_DUPLICATE] = {"duplicate", 409, "Already exists", "已存在"},
    [ERR_PRECONDITION_FAILED] = {"stale_etag", 412, "The document changed since you read it", "文档已被他人修改"},
    [ERR_TOO_LARGE] = {"too_large", 413, "Request body too large", "请求内容过大"},
    [ERR_UNSUPPORTED_MEDIA] = {"unsupported_media_type", 415, "Unsupported content type", "不支持的内容类型"},
    [ERR_VALIDATION] = {"validation_failed", 422, "Invalid value", "数据校验未通过"},
    [ERR_INCOMPLETE] = {"incomplete", 422, "Required information is missing", "必填信息不完整"},
    [ERR_PRECONDITION_REQUIRED] = {"if_match_required", 428, "If-Match header required", "需要 If-Match 请求头"},
    [ERR_TOO_MANY] = {"too_many_requests", 429, "Too many attempts", "尝试次数过多"},
    [ERR_INTERNAL] = {"internal", 500, "Internal error", "内部错误"},
    [ERR_BUSY] = {"busy", 503, "Server busy, try again", "服务器繁忙，请稍后重试"},
    [ERR_STORAGE_FULL] = {"storage_full", 507, "Storage full", "存储空间不足"},
    [ERR_USAGE] = {"usage", 400, "Usage error", "用法错误"},
    [ERR_BAD_QUERY] = {"bad_query_parameter", 400, "Bad query parameter", "查询参数无效"},
};

const struct err_info *err_info(enum err_code code)
{
    if ((int)code < 0 || code >= ERR__COUNT) code = ERR_INTERNAL;
    return &INFO[code];
}

int err_set(struct err *e, enum err_code code, const char *field, const char *en, const char *zh, ...)
{
    if (!e) return -1;
    va_list ap;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_start(ap, zh);
    vsnprintf(e->detail_en, sizeof e->detail_en, en ? en : "", ap);
    va_end(ap);
    va_start(ap, zh);
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    vsnprintf(e->detail_zh, sizeof e->detail_zh, zh ? zh : "", ap);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    va_end(ap);
    return -1;
}

int err_set_text(struct err *e, enum err_code code, const char *field, const char *en, const char *zh)
{
    if (!e) return -1;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    snprintf(e->detail_en, sizeof e->detail_en, "%s", en ? en : "");
    snprintf(e->detail_zh, sizeof e->detail_zh, "%s", zh ? zh : "");
    return -1;
}

void err_extra(struct err *e, const char *key, json_t *value)
{
    if (!e) { json_decref(value); return; }
    if (!e->extra) e->extra = json_object();
    json_object_set_new(e->extra, key, value);
}

void err_clear(struct err *e)
{
    if (!e) return;
    json_decref(e->extra);
    memset(e, 0, sizeof *e);
}

json_t *err_problem_json(const struct err *e, const char *lang)
{
    const struct err_info *in = err_info(e->code);
    int zh = !(lang && strcmp(lang, "en") == 0);
    json_t *p = json_object();
    char type[128];
    snprintf(type, sizeof type, "https://beian.invalid/problems/%s", in->slug);
    json_object_set_new(p, "type", json_string(type));
    json_object_set_new(p, "title", json_string(zh ? in->title_zh : in->title_en));
    json_object_set_new(p, "status", json_integer(in->http_status));
    json_object_set_new(p, "code", json_string(in->slug));
    json_object_set_new(p, "title_zh", json_string(in->title_zh));
    json_object_set_new(p, "title_en", json_string(in->title_en));
    const char *den = e->detail_en[0] ? e->detail_en : in->title_en;
    const char *dzh = e->detail_zh[0] ? e->detail_zh : in->title_zh;
    json_object_set_new(p, "detail", json_string(zh ? dzh : den));
    json_object_set_new(p, "detail_zh", json_string(dzh));
    json_object_set_new(p, "detail_en", json_string(den));
    if (e->field[0]) json_object_set_new(p, "field", json_string(e->field));
    if (e->extra) json_object_update(p, e->extra);
    return p;
}
